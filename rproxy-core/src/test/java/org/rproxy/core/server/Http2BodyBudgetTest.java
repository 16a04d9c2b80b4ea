package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * One HTTP/2 connection cannot make the node hold more request-body bytes at once than its budget
 * ({@link BodyBudget}), however many streams it opens and however large the lengths they declare:
 * a stream whose body would take the connection past it is answered 503 (+ Retry-After), and the
 * streams within it go on. Real sockets and Netty's HTTP/2 client; no heap measurement: each stream
 * below sends one 16 KiB DATA frame of a declared 1 MiB, which the server holds in a 16 KiB array,
 * so exactly budget / 16 KiB streams are held whatever order the client's flow control sends the
 * frames in, and the rest are refused.
 */
class Http2BodyBudgetTest {

    /** One DATA frame (the default largest frame), and what the server holds for it. */
    private static final int SENT = BodyAccumulator.INITIAL;

    @AutoClose
    private Http2FrontEnd h2;
    private final AtomicInteger calls = new AtomicInteger();

    @Test
    void streamsPastTheConnectionsBodyBudgetAreRefused503AndTheOthersGoOn() throws Exception {
        // the server's budget well above the connection's, whatever the test JVM's heap
        h2 = Http2FrontEnd.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxBodyBytesHeld(64L << 20), request -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip()));
        });
        Http2TestClient client = h2.client;
        int within = (int) (BodyBudget.PER_CONNECTION / SENT);
        int beyond = 8;
        List<Http2TestClient.Call> open = new ArrayList<>();
        for (int i = 0; i < within + beyond; i++) {
            open.add(client.openPartial("/q", FrontEndConfig.DEFAULT_MAX_BODY_BYTES, SENT));
        }
        List<Http2TestClient.Call> refused = new ArrayList<>();
        long deadline = System.nanoTime() + Http2TestClient.WAIT.toNanos();
        while (refused.size() < beyond && System.nanoTime() < deadline) {
            Thread.sleep(20);
            refused = open.stream().filter(c -> c.head.isDone()).toList();
        }
        assertEquals(beyond, refused.size(), "the streams past the budget are refused");
        for (Http2TestClient.Call c : refused) {
            assertEquals(503, c.status());
            assertEquals("1", c.header("retry-after"));
            assertTrue(c.text().contains("request bodies arriving on this connection would take more than "
                    + BodyBudget.PER_CONNECTION + " bytes"), c.text());
        }
        // every stream's first frame has been read (the budget's streams and the refused ones make
        // them all); a PING round trip proves the server has handled them and answered no other
        client.ping();
        assertEquals(beyond, open.stream().filter(c -> c.head.isDone()).count(),
                "the streams within the budget still wait for the rest of their bodies");
        assertEquals(BodyBudget.PER_CONNECTION, h2.server.requestBodyBytes(), "held by the connection's streams");
        assertEquals(0, calls.get());
        assertTrue(client.channel().isActive(), "the connection stays");
        // streams that leave give their bytes back: a small query is answered again
        open.stream().filter(c -> !c.head.isDone()).limit(4).forEach(c -> c.stream.close().syncUninterruptibly());
        int status = 0;
        for (int attempt = 0; attempt < 20 && status != 200; attempt++) {
            status = client.open("POST", "/q", "{}", "content-type", "application/json").status();
        }
        assertEquals(200, status, "answered once the reset streams' bytes are given back");
    }
}
