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
 * Many HTTP/2 clients, each asking on 32 streams (as many as a connection has answered at once)
 * for a computed answer under 64 KB and reading nothing: what the node holds for them all is
 * bounded by {@code maxAnswersHeld}, not by their number. Before the bound each connection held
 * its 32 answers on the heap until the stall timeout (1.7 MB a connection measured, 514 MB for
 * 300 of them, a 1 GB heap full at about 600). Here, at a small scale, 20 such connections, a
 * bound of 64 and a 4 s stall timeout (long enough for every answer to be made without the
 * bound): the heap held after a full collection stays within the bound's answers and some slack,
 * the streams past it wait (counted), and once the stall timeout has closed the non-readers every
 * place is given back and a reading client's queries, asked meanwhile on its own connection,
 * are all answered 200. The 20 non-readers hold the reserve too (16 of their connections hold
 * their first answer there), so the reader's first query waits for a place given back,
 * at worst one stall timeout; the node then serves a connection holding none ahead of those
 * holding some, so the rest do not wait for the non-readers' other rounds.
 */
class Http2AnswersHeldBoundIT {

    private static final int NON_READERS = 20;
    private static final int STREAMS = 32;
    private static final int BOUND = 64;
    private static final int READER_QUERIES = 16;
    /**
     * The bound's answers (64 of about 54 KB: 3.5 MB), the 640 streams' own state and the 20 TLS connections' (a few
     * KB a stream, more a connection: 12 to 15 MB measured in all with the bound), the reading client's answers kept
     * until the end (1 MB), and what a full collection leaves behind. Without the bound, every stream's answer was
     * held: 43 to 46 MB measured.
     */
    private static final long HEAP_AT_MOST = 22L << 20;

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
    void answersHeldForClientsThatNeverReadStayWithinTheNodesBound() throws Exception {
        crowd = NonReadingCrowd.start(dir, FrontEndConfig.defaults("127.0.0.1", 0).withMaxAnswersHeld(BOUND),
                Duration.ofSeconds(4));
        assertEquals(BOUND, crowd.meter("rproxy_answers_held_max"));
        List<CompletableFuture<HttpResponse<byte[]>>> queries = new ArrayList<>();
        long heap;
        long heldPeak;
        try (NonReadingCrowd.Sampler sampler = crowd.sample("rproxy_answers_held")) {
            crowd.askAndNeverRead(NON_READERS, STREAMS);
            PushTree.await(Duration.ofSeconds(20), "streams waiting for the node's bound, or the heap past it",
                    () -> crowd.meter("rproxy_answers_held_waits_total") > 0 || sampler.heapHeld() > HEAP_AT_MOST);
            // one query first, so that the others share its connection: the JDK's client opens a connection for each
            // request sent before its first is up, and each of those TLS handshakes, all at once on a loaded host, must
            // end within the origin's idle timeout (the 4 s stall timeout), or the origin closes it ("Connection reset")
            HttpClient meanwhile = crowd.reader();
            queries.add(crowd.query(meanwhile));
            PushTree.await(Duration.ofSeconds(60), "the reader's first query answered", () -> queries.get(0).isDone());
            for (int i = 1; i < READER_QUERIES; i++) {
                queries.add(crowd.query(meanwhile));
            }
            // each in its turn: the non-readers' streams, holding or waiting, go as the stall timeout closes them
            PushTree.await(Duration.ofSeconds(120), "the non-readers closed by the stall timeout, every place given back",
                    () -> crowd.meter("rproxy_request_body_bytes") == 0 && crowd.meter("rproxy_answers_held") == 0
                            && queries.stream().allMatch(CompletableFuture::isDone));
            for (CompletableFuture<HttpResponse<byte[]>> q : queries) {
                HttpResponse<byte[]> r = q.join();
                assertEquals(200, r.statusCode(), "a reading client's query meanwhile: "
                        + new String(r.body(), StandardCharsets.UTF_8));
                assertEquals(crowd.answerBytes(), r.body().length);
            }
            heap = sampler.heapHeld();
            heldPeak = sampler.meterPeak();
        }
        System.out.printf("answers held at most %d, heap at most %d bytes over what it held before, %.0f waits%n",
                heldPeak, heap, crowd.meter("rproxy_answers_held_waits_total"));
        assertTrue(heldPeak <= BOUND, "answers held at most: " + heldPeak + " (expected: at most " + BOUND + ")");
        assertTrue(heap <= HEAP_AT_MOST, "heap held while " + NON_READERS + " clients asked on " + STREAMS
                + " streams each and read nothing: " + heap + " (expected: at most " + HEAP_AT_MOST + ")");
        assertEquals(0, crowd.meter("rproxy_answers_held"), "every place given back");
    }
}
