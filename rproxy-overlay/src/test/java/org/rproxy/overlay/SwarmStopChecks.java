package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The {@link NamespaceChecks} of what a {@link Swarm} leaves behind when it or one of its torrents
 * stops, run as they are (in a network namespace of their own).
 */
final class SwarmStopChecks {
    private SwarmStopChecks() {
    }

    /**
     * A client fetches a torrent nobody seeds (bt looks for its peers and metadata; the fetch has
     * the turn for {@link FetchTurns#TURN}) and a second one, which waits for its turn; then the
     * client's swarm closes. Both fetches must have completed, exceptionally and saying the swarm
     * closed, by when the close returns: bt tells nothing of a torrent stopped before its metadata
     * came, so the first (and one waiting behind a fetch that has its metadata) would complete
     * only when its caller's deadline passed.
     */
    static void fetchesWaitingForTheirTurnEndAtClose(Path dir) throws Exception {
        try (OverlayClient client = OverlayClient.start(NamespaceChecks.configOfTwo(dir, 3, null))) {
            Swarm swarm = NamespaceChecks.node(client).swarm();
            CompletableFuture<byte[]> first = swarm.fetch(randomInfoHash(), 1 << 20);
            // its start runs off the calling thread: bt's client is made there
            NamespaceChecks.waitFor(() -> swarm.torrents() == 1, 30);
            assertEquals(1, swarm.torrents(), "the first fetch started");
            CompletableFuture<byte[]> waiting = swarm.fetch(randomInfoHash(), 1 << 20);
            swarm.close();
            NamespaceChecks.say("after the close: the fetch with the turn done " + first.isDone() + ", the one waiting done "
                    + waiting.isDone());
            for (CompletableFuture<byte[]> f : List.of(first, waiting)) {
                assertTrue(f.isDone(), "a fetch of a closed swarm still waits (its caller waits out its deadline)");
                assertTrue(f.isCompletedExceptionally(), "a fetch of a closed swarm completed normally");
                String why = f.handle((b, e) -> String.valueOf(e instanceof CompletionException ? e.getCause() : e)).join();
                NamespaceChecks.say("ended: " + why);
                assertTrue(why.contains("closed"), "why a fetch of a closed swarm ended: " + why);
            }
        }
    }

    private static byte[] randomInfoHash() {
        byte[] ih = new byte[20];
        new SecureRandom().nextBytes(ih);
        return ih;
    }
}
