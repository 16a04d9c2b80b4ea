package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.server.FrontEndConfig;

/**
 * A reading HTTP/2 client beside clients that asked on 32 streams each and read nothing, which
 * hold every ordinary place of the node's bound on answers held: its queries are answered at
 * once, from the places the node keeps for connections that hold none, while the non-readers
 * still hold theirs (well before the stall timeout closes them), and the answers held stay within
 * the bound; once the non-readers go away, every place is given back. Before that reserve, its queries waited behind every non-reader's stream until the
 * stall timeout had closed the non-readers, one timeout for each round of the bound's worth of
 * them (two here). At a small scale: a bound of 64 (48 ordinary places, 16 kept), 4 non-readers
 * (128 streams: 48 on the ordinary places, 2 in the reserve as their connections' first, the rest
 * waiting), a 10 s stall timeout.
 */
class Http2ReaderBesideNonReadersIT {

    private static final int NON_READERS = 4;
    private static final int STREAMS = 32;
    private static final int BOUND = 64;
    private static final int ORDINARY = BOUND - BOUND / 4;
    private static final int READER_QUERIES = 16;
    private static final Duration STALL = Duration.ofSeconds(10);
    /** The bound's answers (64 of about 54 KB: 3.5 MB), 128 streams' and 5 TLS connections' state, the reader's answers (1 MB), and slack. */
    private static final long HEAP_AT_MOST = 16L << 20;

    @TempDir
    Path dir;
    private NonReadingCrowd crowd;

    @AfterEach
    void stop() throws Exception {
        if (crowd != null) {
            crowd.close();
        }
    }

    @Test
    void aReadingClientIsAnsweredWhileNonReadersHoldEveryOrdinaryPlace() throws Exception {
        crowd = NonReadingCrowd.start(dir, FrontEndConfig.defaults("127.0.0.1", 0).withMaxAnswersHeld(BOUND), STALL);
        List<CompletableFuture<HttpResponse<byte[]>>> queries = new ArrayList<>();
        long heap;
        long heldPeak;
        double heldWhenAnswered;
        try (NonReadingCrowd.Sampler sampler = crowd.sample("rproxy_answers_held")) {
            crowd.askAndNeverRead(NON_READERS, STREAMS);
            PushTree.await(Duration.ofSeconds(20), "the non-readers holding every ordinary place",
                    () -> crowd.meter("rproxy_answers_held") >= ORDINARY && crowd.meter("rproxy_answers_held_waits_total") > 0);
            // one query first, so that the others share its connection (as docs/operations.md says they do): the JDK's
            // client opens a connection for each request sent before its first is up, 16 TLS handshakes at once
            HttpClient reader = crowd.reader();
            queries.add(crowd.query(reader));
            // within the stall timeout from now: the non-readers' first answers were made before it, so none is closed yet
            try {
                Duration first = PushTree.await(STALL, "the reader's first query answered", () -> queries.get(0).isDone());
                for (int i = 1; i < READER_QUERIES; i++) {
                    queries.add(crowd.query(reader));
                }
                PushTree.await(STALL.minus(first), "the reader's queries answered",
                        () -> queries.stream().allMatch(CompletableFuture::isDone));
            } catch (AssertionError e) {
                throw new AssertionError(queries.stream().filter(CompletableFuture::isDone).count() + " of " + queries.size()
                        + " of a reading client's queries answered within the stall timeout (" + STALL
                        + ") while non-readers held every ordinary place; answers held: " + crowd.meter("rproxy_answers_held"), e);
            }
            heldWhenAnswered = crowd.meter("rproxy_answers_held");
            for (CompletableFuture<HttpResponse<byte[]>> q : queries) {
                HttpResponse<byte[]> r = q.join();
                assertEquals(200, r.statusCode(), "a reading client's query: " + new String(r.body(), StandardCharsets.UTF_8));
                assertEquals(crowd.answerBytes(), r.body().length);
            }
            heap = sampler.heapHeld();
            heldPeak = sampler.meterPeak();
        }
        System.out.printf("reader answered with %.0f answers held by non-readers; answers held at most %d, heap at most %d bytes"
                + " over what it held before%n", heldWhenAnswered, heldPeak, heap);
        assertTrue(heldWhenAnswered >= ORDINARY, "the non-readers still held every ordinary place when the reader was answered: "
                + heldWhenAnswered);
        assertTrue(heldPeak <= BOUND, "answers held at most: " + heldPeak + " (expected: at most " + BOUND + ")");
        assertTrue(heap <= HEAP_AT_MOST, "heap held: " + heap + " (expected: at most " + HEAP_AT_MOST + ")");
        // What is checked of the non-readers is checked while they hold their places; that the
        // stall timeout closes such clients is Http2NonReaderStallTest's (rproxy-core). Gone now,
        // by their own close, rather than after waiting out the stall timeout here (10 s of 20).
        crowd.closeNonReaders();
        PushTree.await(STALL, "the non-readers gone, every place given back",
                () -> crowd.meter("rproxy_answers_held") == 0 && crowd.meter("rproxy_request_body_bytes") == 0);
    }
}
