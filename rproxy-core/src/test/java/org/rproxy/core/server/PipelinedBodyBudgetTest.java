package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.testing.Eventually;

/**
 * HTTP/1.1 requests pipelined behind a slow one wait for their turn, each holding its body: a
 * complete body used to give its bytes back to the body budget as soon as it had arrived, so 32
 * bodies a connection waited outside every bound, and the node's count
 * ({@code rproxy_request_body_bytes}) said nothing of them. Now each stays counted until its
 * answer is handed on, in its connection's bound and the server's: past either, the next body is
 * answered 503, in its turn, and the connection closed after it. Real sockets; the service answers
 * {@code /hang} only when the test says so.
 */
class PipelinedBodyBudgetTest {

    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private AltoHttpServer server;
    private final List<Socket> sockets = new ArrayList<>();
    private final CompletableFuture<Reply> hanging = new CompletableFuture<>();

    @AfterEach
    void stop() throws IOException {
        hanging.complete(Reply.ok(Fixtures.withGzip()));
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(FrontEndConfig config) {
        server = AltoHttpServer.start(config, request -> request.path().equals("/hang") ? hanging
                : CompletableFuture.completedFuture(Reply.ok(Fixtures.withGzip())));
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.setSoTimeout(SOCKET_TIMEOUT_MS);
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), SOCKET_TIMEOUT_MS);
        return s;
    }

    /** A slow first request, then {@code count} POSTs of {@code size} bytes, pipelined on one new connection. */
    private Socket pipelineBehindASlowOne(int count, int size) throws IOException {
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        out.write("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < count; i++) {
            out.write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: " + size
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[size]);
        }
        out.flush();
        return s;
    }

    private void awaitHeld(long bytes, String what) {
        Eventually.await(what + " (held: " + server.requestBodyBytes() + ")", Http2TestClient.WAIT,
                () -> server.requestBodyBytes() == bytes);
    }

    @Test
    void bodiesWaitingBehindASlowRequestAreCountedAndTheServersBudgetRefusesMore() throws Exception {
        int body = BodyAccumulator.INITIAL; // held in an array of exactly that many bytes
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxBodyBytes(body).withMaxBodyBytesHeld(4L * body));
        Socket pipelined = pipelineBehindASlowOne(4, body);
        awaitHeld(4L * body, "four bodies waiting behind the slow request hold the server's budget");

        Socket late = connect();
        late.getOutputStream().write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
        SocketReads.Answer refused = SocketReads.readAnswer(late);
        assertEquals("503", refused.status(), refused.body());
        assertEquals("1", refused.retryAfter(), "Retry-After");
        assertEquals("the server is receiving more request bodies than it holds at once (" + 4L * body
                + " bytes); retry later\n", refused.body());
        assertEquals(1, server.requestBodiesRefused(), "counted as refused");

        hanging.complete(Reply.ok(Fixtures.withGzip()));
        for (int i = 0; i < 5; i++) {
            assertEquals("200", SocketReads.readAnswer(pipelined).status(), "answer " + i);
        }
        awaitHeld(0, "every byte back once the answers are handed on");
    }

    @Test
    void aConnectionHoldsNoMoreBodiesWaitingThanItsOwnBound() throws Exception {
        int body = 1024 * 1024;
        int fit = (int) (BodyBudget.PER_CONNECTION / body);
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxBodyBytes(body).withMaxBodyBytesHeld(64L * body));
        Socket pipelined = pipelineBehindASlowOne(fit + 1, body);
        awaitHeld(BodyBudget.PER_CONNECTION, "the bodies that fit in the connection's bound wait, counted");
        // the last head must have met the full bound before any answer gives bytes back, or it would fit
        Eventually.await("the body past the connection's bound refused at its head", Http2TestClient.WAIT,
                () -> server.requestBodiesRefused() == 1);

        hanging.complete(Reply.ok(Fixtures.withGzip()));
        for (int i = 0; i <= fit; i++) {
            assertEquals("200", SocketReads.readAnswer(pipelined).status(), "answer " + i);
        }
        SocketReads.Answer refused = SocketReads.readAnswer(pipelined);
        assertEquals("503", refused.status(), "the body past the connection's bound: " + refused.body());
        assertEquals("1", refused.retryAfter(), "Retry-After");
        assertEquals("the request bodies arriving on this connection would take more than " + BodyBudget.PER_CONNECTION
                + " bytes; send fewer at once, then ask again\n", refused.body());
        assertEquals(-1, pipelined.getInputStream().read(), "closed after the refusal");
        awaitHeld(0, "every byte back");
    }

    @Test
    void bodiesWaitingBehindASlowRequestComeBackWhenTheClientLeaves() throws Exception {
        int body = BodyAccumulator.INITIAL;
        start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxBodyBytes(body).withMaxBodyBytesHeld(64L * body));
        Socket pipelined = pipelineBehindASlowOne(3, body);
        awaitHeld(3L * body, "three bodies waiting behind the slow request");

        // reset, not closed: a FIN is a half-close, after which the requests owed are still answered, bodies and all
        pipelined.setSoLinger(true, 0);
        pipelined.close(); // the connection goes with its requests unanswered (ExchangeHandler.channelInactive)
        awaitHeld(0, "every byte back once the connection is gone, its slow request still unanswered");
    }
}
