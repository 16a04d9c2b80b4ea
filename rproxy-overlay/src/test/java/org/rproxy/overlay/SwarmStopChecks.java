package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import bt.net.buffer.BufferedData;
import bt.net.buffer.DelegatingByteBufferView;
import bt.net.pipeline.IBufferedPieceRegistry;
import bt.runtime.BtRuntime;

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

    /**
     * bt 1.10 files each block it receives, until the torrent's worker takes it, by piece index
     * and offset alone, and keeps for good the block of a torrent that stopped before its worker
     * took it (its connection's reader filed it, the dispatcher no longer reads that torrent's
     * connections); the next torrent's block at the same place was then refused a place, and its
     * worker took the stale one: its piece failed its hash and was fetched again. Here the client's
     * runtime holds such a block at (0, 0) (what its reader files for a block that came after its
     * torrent stopped) and fetches a bundle: the bundle's own block must be taken, none may fail
     * its hash, and the stale block must be let go. Then a stale block at a place no bundle uses
     * must be let go once a torrent dropped stops while nothing is fetched.
     */
    static void staleBlocksAreNotTakenAndLetGo(Path dir) throws Exception {
        try (PieceConsumerLog log = PieceConsumerLog.capture(); ThreeNodes nodes = ThreeNodes.start(dir)) {
            Swarm seeder = nodes.seeder();
            Swarm swarm = nodes.swarm();
            IBufferedPieceRegistry blocks = ((BtRuntime) NamespaceChecks.field(swarm, "runtime")).service(IBufferedPieceRegistry.class);
            byte[] bytes = new byte[600];
            Arrays.fill(bytes, (byte) 'b');
            byte[] ih = seeder.seed("bundle.http", bytes);
            NamespaceChecks.say("seeded, announced to " + seeder.announce(ih).get(60, TimeUnit.SECONDS));
            BufferedData stale = staleBlock(600);
            blocks.addBufferedPiece(0, 0, stale);
            assertArrayEquals(bytes, swarm.fetch(ih, 1 << 20).get(60, TimeUnit.SECONDS), "the bundle fetched");
            NamespaceChecks.say("fetched; PieceConsumer said: " + log.taken());
            assertEquals(List.of(), log.taken(), "blocks bt took for another torrent's (its piece failed), or found taken");
            assertTrue(stale.isDisposed(), "the stale block at (0, 0) is still held");

            BufferedData elsewhere = staleBlock(600);
            blocks.addBufferedPiece(7, 0, elsewhere);
            String hex = HexFormat.of().formatHex(ih);
            swarm.drop(hex);
            seeder.drop(hex);
            // bt reports a torrent held whole stopped within a second; the drop waits at most STOP_WAIT for it
            NamespaceChecks.waitFor(elsewhere::isDisposed, (int) Swarm.STOP_WAIT.toSeconds() + 10);
            NamespaceChecks.say("after the drop: the stale block at (7, 0) let go " + elsewhere.isDisposed());
            assertTrue(elsewhere.isDisposed(), "a stale block is held after a torrent stopped while nothing was fetched");
            assertEquals(null, blocks.getBufferedPiece(7, 0), "a stale block is still filed after a torrent stopped");
        }
    }

    /**
     * A publisher seeds a torrent, announces it, and drops it; once the drop's future completes,
     * a client that fetches it must not be served it, and is told that nobody seeds it. bt stops
     * a torrent on its own threads, and before it reports it stopped (about 1.4 s after the drop
     * in a run of {@code droppedBundleIsGivenUpEarly} beside another check) it serves new
     * connections: without waiting, the client was served in 3 of 8 runs. And bt lost a stop
     * that came before it had started the torrent (its drop right after the seed): the torrent
     * was never reported stopped and still served after {@link Swarm#STOP_WAIT} (2 of 8 runs).
     */
    static void droppedTorrentIsNotServedOnceTheDropCompletes(Path dir) throws Exception {
        try (ThreeNodes nodes = ThreeNodes.start(dir)) {
            Swarm seeder = nodes.seeder();
            byte[] ih = seeder.seed("bundle.http", "a bundle dropped".getBytes(StandardCharsets.US_ASCII));
            NamespaceChecks.say("seeded, announced to " + seeder.announce(ih).get(60, TimeUnit.SECONDS));
            long start = System.nanoTime();
            seeder.drop(HexFormat.of().formatHex(ih)).get(Swarm.STOP_WAIT.toSeconds() + 10, TimeUnit.SECONDS);
            NamespaceChecks.say("the drop completed after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            String said = nodes.swarm().fetch(ih, 1 << 20)
                    .handle((b, e) -> e == null ? "fetched " + b.length + " bytes"
                            : String.valueOf(e instanceof CompletionException ? e.getCause() : e))
                    .get(60, TimeUnit.SECONDS);
            NamespaceChecks.say("the client's fetch after the drop: " + said);
            assertTrue(said.startsWith(NobodySeeds.class.getName() + ": "), "a torrent dropped is still served: " + said);
        }
    }

    /** A block bt's reader filed for a torrent that stopped before its worker took it: {@code length} bytes that belong to no bundle here. */
    private static BufferedData staleBlock(int length) {
        byte[] junk = new byte[length];
        Arrays.fill(junk, (byte) 'x');
        return new BufferedData(new DelegatingByteBufferView(ByteBuffer.wrap(junk)));
    }

    /**
     * A document the client took just before it closed (its peer seeds what the client holds, on
     * a thread of its own) is not seeded once the swarm has closed: before, it started bt's
     * runtime again ("LifecycleEvent STARTUP has already been run" at ERROR, a
     * RejectedExecutionException at WARN), and that runtime's threads were left running for good
     * after the app had closed its peer.
     */
    static void aDocumentSeededAfterTheCloseStartsNothing(Path dir) throws Exception {
        OverlayConfig config = NamespaceChecks.configOfTwo(dir, 3, null);
        String threads = config.btPort() + ".bt.";
        try (OverlayClient client = OverlayClient.start(config)) {
            Swarm swarm = NamespaceChecks.node(client).swarm();
            swarm.close();
            String said;
            try {
                swarm.seed("map-a.http", "a document the client took".getBytes(StandardCharsets.UTF_8));
                said = "seeded";
            } catch (IllegalStateException e) {
                said = e.getMessage();
            }
            NamespaceChecks.say("seeding after the close: " + said);
            NamespaceChecks.waitFor(() -> btThreads(threads).isEmpty(), 30);
            assertEquals(List.of(), btThreads(threads), "bt's threads left after the swarm closed (" + said + ")");
            assertTrue(said.contains("the swarm is closed"), "a closed swarm seeded: " + said);
        }
    }

    private static List<String> btThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    private static byte[] randomInfoHash() {
        byte[] ih = new byte[20];
        new SecureRandom().nextBytes(ih);
        return ih;
    }
}
