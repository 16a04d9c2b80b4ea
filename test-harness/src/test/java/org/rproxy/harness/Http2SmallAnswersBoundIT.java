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
 * HTTP/2 clients that open their windows wide, ask on hundreds of streams for a computed answer
 * under 64 KB (one that is written whole, not in parts under the node's send bound) and never
 * read. Each stream's request used to be answered at once and its answer kept on the heap until
 * the stream could be written, which for these clients was never: 4 connections of 500 streams
 * held 136 MB, for as long as they stayed open, since neither the idle nor the stall timeout ran
 * for answers never handed to their stream; and a reading client's queries queued behind their
 * 2,000 computations. Now a connection has at most 32 streams answered at once (the others wait,
 * unstarted), each answer is handed to its stream when made, and the stall timeout (5 s here)
 * closes a connection that takes none of it: the non-readers hold at most 32 answers each, for
 * one timeout, and a reading HTTP/2 client's queries, sent at once on one connection, are all
 * answered meanwhile.
 */
class Http2SmallAnswersBoundIT {

    private static final int NON_READERS = 4;
    private static final int STREAMS = 500;
    /** The reading client's queries, all at once on its one connection. */
    private static final int READER_QUERIES = 64;
    /**
     * 4 connections × 32 answers of about 54 KB (7 MB), the 2,000 streams' own state (open streams, a few KB each,
     * bounded by max-concurrent-streams, not by this change), the reading client's 64 answers kept until the end
     * (3.5 MB), and what a full GC leaves behind (17 to 25 MB measured in all); with every stream answered at once,
     * 142 MB were measured.
     */
    private static final long HEAP_AT_MOST = 40L << 20;
    /**
     * The origin's stall timeout, which is also its idle timeout: a reading client's new connection
     * must finish its TLS handshake and send its first request within it, and its connection, idle
     * once the first query is answered, must see the next query within it, or the origin closes it
     * as it should. At 1 s a reader's handshake did not end in time at load 19 to 36, where the
     * test's handshakes share two cores with the build (its query failed: "Broken pipe", "Connection
     * reset by peer"), and its 64 queries took 1.25 s to send. What the non-readers may hold does not
     * depend on how long they hold it.
     */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(5);

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
    void clientsThatNeverReadHoldAFewAnswersPerConnectionAndAreClosedByTheStallTimeout() throws Exception {
        crowd = NonReadingCrowd.start(dir, FrontEndConfig.defaults("127.0.0.1", 0), STALL_TIMEOUT);
        List<CompletableFuture<HttpResponse<byte[]>>> queries = new ArrayList<>();
        long heap;
        try (NonReadingCrowd.Sampler sampler = crowd.sample(null)) {
            crowd.askAndNeverRead(NON_READERS, STREAMS);
            // meanwhile, on one connection: a new one (a new client), opened by a first query
            HttpClient meanwhile = crowd.reader();
            assertEquals(200, crowd.query(meanwhile).join().statusCode());
            for (int i = 0; i < READER_QUERIES; i++) {
                queries.add(crowd.query(meanwhile));
            }
            // each stream's request body is counted until its stream closes: back to none once the stall
            // timeout has closed the non-readers' connections, whose streams waiting for their turn close with them
            PushTree.await(Duration.ofSeconds(60), "the non-readers closed by the stall timeout, all their streams with them",
                    () -> crowd.meter("rproxy_request_body_bytes") == 0);
            for (CompletableFuture<HttpResponse<byte[]>> q : queries) {
                HttpResponse<byte[]> r = q.join();
                assertEquals(200, r.statusCode(), "a reading client's query meanwhile: "
                        + new String(r.body(), StandardCharsets.UTF_8));
                assertEquals(HttpClient.Version.HTTP_2, r.version());
                assertEquals(crowd.answerBytes(), r.body().length);
            }
            heap = sampler.heapHeld();
        }
        assertTrue(heap <= HEAP_AT_MOST, "heap held while " + NON_READERS + " clients asked on " + STREAMS
                + " streams each and read nothing (and one read " + READER_QUERIES + " answers): " + heap
                + " (expected: at most " + HEAP_AT_MOST + ")");
        assertEquals(200, crowd.query(crowd.reader()).join().statusCode(), "a reading client once the non-readers are gone");
    }
}
