package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link NamespaceChecks} of torrents fetched at once, run as they are (in a network
 * namespace of their own: a publisher on host 1, client peers on hosts 2 and 3).
 */
final class BlockCollisionChecks {
    /** Rounds of bundles fetched at once. */
    private static final int ROUNDS = 5;
    /** Bundles fetched at once in each round. */
    private static final int AT_ONCE = 3;

    private BlockCollisionChecks() {
    }

    /**
     * In each of {@value #ROUNDS} rounds a publisher seeds {@value #AT_ONCE} single-piece bundles
     * of the same size and the client fetches them all at once. bt 1.10 files the blocks it
     * received (until the torrent's worker takes them) in one registry per runtime, keyed by piece
     * index and offset alone: the block (0, 0) of one torrent can be taken for another's, which
     * then fails its piece's hash and fetches it again, while the first finds its block gone
     * and waits for its request to time out. bt logs both (PieceConsumer: "Failed to verify piece"
     * and, at TRACE, "Buffered block has already been processed"); none may happen, and every
     * bundle must arrive whole.
     */
    static void bundlesFetchedAtOnceTakeNoBlockOfAnother(Path dir) throws Exception {
        try (PieceConsumerLog log = PieceConsumerLog.capture(); ThreeNodes nodes = ThreeNodes.start(dir)) {
            Swarm seeder = nodes.seeder();
            Swarm swarm = nodes.swarm();
            for (int round = 0; round < ROUNDS; round++) {
                List<byte[]> bundles = new ArrayList<>();
                List<byte[]> hashes = new ArrayList<>();
                for (int i = 0; i < AT_ONCE; i++) {
                    byte[] bytes = new byte[600];
                    Arrays.fill(bytes, (byte) ('a' + i));
                    byte[] tag = ("round " + round + " bundle " + i).getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(tag, 0, bytes, 0, tag.length);
                    byte[] ih = seeder.seed("bundle-" + round + "-" + i + ".http", bytes);
                    seeder.announce(ih).get(60, TimeUnit.SECONDS);
                    bundles.add(bytes);
                    hashes.add(ih);
                }
                long start = System.nanoTime();
                List<CompletableFuture<byte[]>> fetches = new ArrayList<>();
                hashes.forEach(ih -> fetches.add(swarm.fetch(ih, 1 << 20)));
                for (int i = 0; i < AT_ONCE; i++) {
                    byte[] got;
                    try {
                        got = fetches.get(i).get(90, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        throw new AssertionError("round " + round + ": bundle " + i + " not fetched within 90 s; fetched: "
                                + fetches.stream().map(CompletableFuture::isDone).toList(), e);
                    }
                    assertArrayEquals(bundles.get(i), got, "round " + round + " bundle " + i);
                }
                NamespaceChecks.say("round " + round + ": " + AT_ONCE + " bundles fetched at once in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms; blocks taken or lost so far: " + log.taken().size());
                for (byte[] ih : hashes) {
                    swarm.drop(HexFormat.of().formatHex(ih));
                    seeder.drop(HexFormat.of().formatHex(ih));
                }
            }
            assertEquals(List.of(), log.taken(), "blocks bt took for another torrent's, or found taken");
        }
    }
}
