package org.rproxy.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

import org.rproxy.core.store.Representation;

/**
 * An update stream subscribed to and not yet read: where ({@code source}, the stream's {@code uri}),
 * the maps asked for ({@code targets}), the versions held when subscribing, which the stream's first
 * patches are made from ({@code named}), and the newest verified then, no update may be older
 * ({@code verified}).
 */
record Subscription(URI source, URI uri, Map<String, String> targets, Map<String, Representation> named,
                    Map<String, Instant> verified, InputStream in) {

    /** Closes the stream unread (a follower closed, or a stream opened for a move that did not happen). */
    void abandon() {
        try {
            in.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }
}
