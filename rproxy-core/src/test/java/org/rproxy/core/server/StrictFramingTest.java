package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;

/**
 * RFC 9112 §6.1 and §6.3 message framing, one test per rule: whatever makes the end of a body
 * uncertain is answered and the connection closed, so that nothing after it is read as a request.
 */
class StrictFramingTest {

    private final Queue<String> served = new ConcurrentLinkedQueue<>();
    private final AltoService service = request -> {
        served.add(request.method() + " " + request.path());
        return CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly()));
    };
    private final EmbeddedFrontEnd wire = new EmbeddedFrontEnd(service);
    private final EmbeddedChannel channel = wire.channel();
    private AltoHttpServer server;

    @AfterEach
    void close() {
        wire.closeClient();
        if (server != null) {
            server.close();
        }
    }

    /** Sends {@code head} plus a chunked body and a request behind it; asserts the one answer and the close. */
    private Answer refusedAndClosed(String head, int status) {
        List<Answer> answers = wire.sendRaw(head + "\r\n3\r\n{}x\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n")
                .answers();
        assertEquals(1, answers.size(), "only the refusal: " + answers);
        Answer a = answers.get(0);
        assertEquals(status, a.status(), a.text());
        assertEquals("application/alto-error+json", a.header("content-type"));
        assertEquals("close", a.header("connection"));
        assertFalse(channel.isOpen(), "the connection closes after the answer");
        assertTrue(served.isEmpty(), "nothing reached the service: " + served);
        assertFalse(channel.finishAndReleaseAll());
        return a;
    }

    @Test
    void contentLengthWithTransferEncodingIs400() {
        Answer a = refusedAndClosed("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n", 400);
        assertEquals("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"transfer-encoding\",\"value\":\"chunked\","
                + "\"message\":\"transfer-encoding: sent with content-length (expected: one or the other, RFC 9112 §6.3)\"}}",
                a.text());
    }

    @Test
    void contentLengthAfterTransferEncodingIs400() {
        refusedAndClosed("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n", 400);
    }

    @Test
    void chunkedNotFinalIs400() {
        Answer a = refusedAndClosed("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n", 400);
        assertTrue(a.text().contains("chunked must be the final coding"), a.text());
    }

    @Test
    void chunkedTwiceIs400() {
        refusedAndClosed("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                400);
    }

    @Test
    void emptyTransferEncodingIs400() {
        refusedAndClosed("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n", 400);
    }

    @Test
    void gzipBeforeChunkedIs501() {
        Answer a = refusedAndClosed("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n", 501);
        assertEquals("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"transfer-encoding\",\"value\":\"gzip, chunked\","
                + "\"message\":\"transfer-encoding: transfer coding gzip not implemented (expected: chunked)\"}}", a.text());
    }

    @Test
    void unknownTransferCodingIs501() {
        refusedAndClosed("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n", 501);
    }

    @Test
    void transferEncodingInHttp10Is400() {
        refusedAndClosed("POST /costmap HTTP/1.0\r\nTransfer-Encoding: chunked\r\n", 400);
    }

    @Test
    void differentContentLengthsAre400NamingTheField() {
        List<Answer> answers = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
                + "Content-Length: 3\r\n\r\n{}x").answers();
        assertEquals(1, answers.size());
        assertEquals("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"content-length\",\"value\":\"2, 3\","
                + "\"message\":\"content-length: more than one value (expected: exactly one, RFC 9112 §6.3)\"}}",
                answers.get(0).text());
        assertEquals(400, answers.get(0).status());
        assertFalse(channel.isOpen());
        assertTrue(served.isEmpty());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void repeatedEqualContentLengthsAre400Too() {
        Answer a = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\n{}").answer();
        assertEquals(400, a.status());
        assertTrue(a.text().contains("\"field\":\"content-length\""), a.text());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void contentLengthThatIsNotANumberIs400NamingTheField() {
        Answer a = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Length: +2\r\n\r\n{}").answer();
        assertEquals("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"content-length\",\"value\":\"+2\","
                + "\"message\":\"content-length: not a number of bytes (RFC 9110 §8.6)\"}}", a.text());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void chunkedAloneIsServed() {
        List<Answer> answers = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + "2\r\n{}\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n").answers();
        assertEquals(2, answers.size());
        assertEquals(List.of("POST /costmap", "GET /after"), List.copyOf(served));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    /**
     * The classic CL.TE desync over a real socket: a front proxy that trusted {@code Content-Length}
     * would see one request, a server that reads chunked would see a second one, {@code /smuggled}.
     * Neither is served: the 400 is the only answer and the connection closes.
     */
    @Test
    void requestSmuggledInABodyIsNeverServed() throws IOException {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), service);
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        String body = "0\r\n\r\n" + smuggled;
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 10_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String head = SocketReads.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 400 "), head);
            int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
            assertEquals(length, in.readNBytes(length).length);
            assertEquals(-1, in.read(), "closed after the 400, nothing else answered");
        }
        assertTrue(served.isEmpty(), "served: " + served);
    }
}
