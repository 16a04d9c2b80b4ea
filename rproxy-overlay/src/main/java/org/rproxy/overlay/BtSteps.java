package org.rproxy.overlay;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** The steps of a {@link Swarm}'s fetch that run on bt's threads (or another's), and what their failures complete. Stateless. */
final class BtSteps {
    private BtSteps() {
    }

    /** A step of bt's, on bt's thread: {@code done} completes exceptionally with whatever it throws, errors included. */
    static void completing(CompletableFuture<byte[]> done, IoStep step) {
        try {
            step.run();
        } catch (Throwable e) {
            done.completeExceptionally(e);
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }
    }

    /** A step that may fail with an {@link IOException}. */
    interface IoStep {
        void run() throws IOException;
    }
}
