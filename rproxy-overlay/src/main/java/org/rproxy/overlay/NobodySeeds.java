package org.rproxy.overlay;

import java.io.IOException;

/** Why a {@link Swarm} fetch ended before its caller's deadline: the overlay demonstrably has nobody to fetch it from ({@link SeederWatch}). */
final class NobodySeeds extends IOException {
    private static final long serialVersionUID = 1L;

    NobodySeeds(String message) {
        super(message);
    }
}
