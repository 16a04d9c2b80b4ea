package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * One connection that pipelines many requests whose answers are computed per request (as
 * filtered cost maps are) and does not read them cannot make the node compute and hold more
 * than the answer going out and the next, however many one read brings (the next request is
 * started only once the answer before it is handed on and the connection is writable; before,
 * {@link ExchangeHandler#MAX_IN_FLIGHT} were made and held); a client that does read gets every
 * answer, whole and in order. Real sockets.
 */
class PipelinedBacklogTest {

    private static final int ANSWER_BYTES = 256 * 1024;
    private static final int REQUESTS = 200;

    private final AtomicInteger computed = new AtomicInteger();
    private AltoHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Every request gets an answer of its own, numbered in its first bytes. */
    private void serve() {
        // a small send buffer, so the kernel takes little of what waits (else it holds megabytes more)
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(Duration.ofSeconds(20))
                        .withSendBufferBytes(16 * 1024),
                request -> CompletableFuture.completedFuture(Reply.ok(answer(computed.incrementAndGet()))));
    }

    private static byte[] body(int n) {
        byte[] b = new byte[ANSWER_BYTES];
        byte[] tag = String.format(Locale.ROOT, "%08d", n).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, b, 0, tag.length);
        return b;
    }

    private static Representation answer(int n) {
        return new Representation(new Variant(Bytes.wrap(body(n)), null,
                List.of(new HeaderField("content-type", "application/octet-stream"))), null, 0,
                Instant.now(), Instant.now().plus(Duration.ofHours(1)));
    }

    private Socket pipeline() throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 * 1024);
        s.connect(server.localAddress(), 5_000);
        s.setSoTimeout(20_000);
        s.getOutputStream().write("GET /q HTTP/1.1\r\nHost: a\r\n\r\n".repeat(REQUESTS).getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    @Test
    void aClientThatDoesNotReadHasNoMoreThanTheAnswerGoingOutComputed() throws Exception {
        serve();
        try (Socket s = pipeline()) {
            Thread.sleep(1_000);
            assertTrue(s.isConnected());
            // the one being written, and at most one made before the connection stopped being writable
            assertTrue(computed.get() <= 2,
                    computed.get() + " answers computed for a client that reads none of them");
        }
    }

    @Test
    void aClientThatReadsGetsEveryAnswerWholeAndInOrder() throws Exception {
        serve();
        try (Socket s = pipeline()) {
            InputStream in = s.getInputStream();
            for (int i = 1; i <= REQUESTS; i++) {
                String head = SocketReads.readHead(in);
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                assertArrayEquals(body(i), in.readNBytes(ANSWER_BYTES), "answer " + i);
            }
            assertEquals(REQUESTS, computed.get());
        }
    }
}
