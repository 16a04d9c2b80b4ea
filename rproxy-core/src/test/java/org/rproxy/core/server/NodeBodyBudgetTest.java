package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server as a whole holds at most {@link FrontEndConfig#maxBodyBytesHeld} of request bodies
 * while they arrive, over all its connections, HTTP/1.1 and HTTP/2 alike ({@link NodeBodyBudget}):
 * with that much held by bodies arriving slowly, the next body is answered 503 with
 * {@code Retry-After} and an ALTO error, the bodies held go on and are answered, and every byte
 * comes back to the budget however its request ends. Real sockets; no heap measurement: each body
 * declares {@link #BODY} bytes and sends one, which the server holds in an array of {@link #BODY}
 * bytes, so the budget of four bodies is spent by exactly four.
 */
class NodeBodyBudgetTest {

    private static final int BODY = BodyAccumulator.INITIAL;
    private static final long BUDGET = 4L * BODY;
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private AltoHttpServer server;
    private Http2TestClient h2;
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (h2 != null) {
            h2.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxBodyBytes(BODY)
                .withMaxBodyBytesHeld(BUDGET), request -> {
                    calls.incrementAndGet();
                    return CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip()));
                });
        h2 = new Http2TestClient(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), null);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.setSoTimeout(SOCKET_TIMEOUT_MS);
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), SOCKET_TIMEOUT_MS);
        return s;
    }

    /** An HTTP/1.1 POST declaring {@link #BODY} bytes, of which the first {@code sent} are sent. */
    private Socket postPartly(int sent) throws IOException {
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        out.write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: " + BODY
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[sent]);
        out.flush();
        return s;
    }

    private static void sendRest(Socket s, int sent) throws IOException {
        s.getOutputStream().write(new byte[BODY - sent]);
        s.getOutputStream().flush();
    }

    private static void await(LongSupplier value, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Http2TestClient.WAIT.toNanos();
        while (value.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, value.getAsLong(), what);
    }

    private static final String REFUSED = "the server is receiving more "
            + "request bodies than it holds at once (" + BUDGET + " bytes); retry later\n";

    @Test
    void bodiesPastTheServersBudgetAreRefused503WhileTheHeldOnesGoOnAndEveryByteComesBack() throws Exception {
        start();
        assertEquals(BUDGET, server.maxRequestBodyBytes());
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(postPartly(1));
        }
        Http2TestClient.Call stream = h2.openPartial("/q", BODY, 1);
        await(server::requestBodyBytes, BUDGET, "three HTTP/1.1 bodies and one HTTP/2 body hold the whole budget");

        // the next body, on a new connection or on a stream of the HTTP/2 connection (whose own budget has room)
        Socket late = connect();
        late.getOutputStream().write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
        SocketReads.Answer refused = SocketReads.readAnswer(late);
        assertEquals("503", refused.status());
        assertEquals("1", refused.retryAfter(), "Retry-After");
        assertEquals(REFUSED, refused.body());
        Http2TestClient.Call lateStream = h2.open("POST", "/q", "{}", "content-type", "application/json");
        assertEquals(503, lateStream.status());
        assertEquals("1", lateStream.header("retry-after"));
        assertEquals(REFUSED, lateStream.text());
        assertTrue(h2.channel().isActive(), "the HTTP/2 connection goes on");

        // a request without a body needs no budget
        Http2TestClient.Call get = h2.open("GET", "/networkmap", null);
        assertEquals(200, get.status());

        // the bodies held are answered once complete, and give their bytes back
        for (Socket s : held) {
            sendRest(s, 1);
        }
        stream.stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[BODY - 1]), true));
        for (Socket s : held) {
            assertEquals("200", SocketReads.readAnswer(s).status());
        }
        assertEquals(200, stream.status());
        assertEquals(5, calls.get(), "four bodies and the GET");
        await(server::requestBodyBytes, 0, "every byte back once the requests are complete");
    }

    @Test
    void bodiesCutOffGiveTheirBytesBack() throws Exception {
        start();
        Socket closed = postPartly(1);
        Socket reset = postPartly(1);
        Http2TestClient.Call cancelled = h2.openPartial("/q", BODY, 1);
        Socket broken = connect();
        broken.getOutputStream().write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n").getBytes(StandardCharsets.US_ASCII));
        long chunkedFirst = 4096;
        await(server::requestBodyBytes, 3L * BODY + chunkedFirst, "four bodies arriving");

        closed.close(); // the client leaves mid-body
        reset.setSoLinger(true, 0);
        reset.close(); // with a reset
        cancelled.stream.close().syncUninterruptibly(); // RST_STREAM
        await(server::requestBodyBytes, chunkedFirst, "only the chunked body is held");
        broken.getOutputStream().write("zz\r\n".getBytes(StandardCharsets.US_ASCII)); // not a chunk size
        SocketReads.Answer answer = SocketReads.readAnswer(broken);
        assertEquals("400", answer.status(), answer.body());
        await(server::requestBodyBytes, 0, "every byte back");
        assertEquals(0, calls.get());
    }
}
