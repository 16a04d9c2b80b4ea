package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;

import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;

/** Requests the front end answers itself, before any service sees them. */
class FrontEndRefusalTest {

    private static final int MAX_BODY = 100;

    private final AtomicInteger calls = new AtomicInteger();
    private final EmbeddedFrontEnd wire = new EmbeddedFrontEnd(
            FrontEndConfig.defaults("127.0.0.1", 0).withMaxBodyBytes(MAX_BODY)
                    .withDialectOf(path -> path.startsWith("/xml/") ? Dialect.XML : Dialect.JSON),
            request -> {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly()));
            });
    private final EmbeddedChannel channel = wire.channel();

    @AfterEach
    void closeClient() {
        wire.closeClient();
    }

    private static void assertAltoError(Answer a, int status, String json) {
        assertEquals(status, a.status());
        assertEquals("application/alto-error+json", a.header("content-type"));
        assertEquals("no-store", a.header("cache-control"));
        assertEquals(json, a.text());
        assertEquals(String.valueOf(a.body().length), a.header("content-length"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "BREW"})
    void otherMethodsAreNotAllowed(String method) {
        Answer a = wire.sendRaw(method + " /networkmap HTTP/1.1\r\nHost: a\r\n\r\n").answer();
        assertAltoError(a, 405, "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"method\",\"value\":\""
                + method + "\",\"message\":\"method: " + method + " (expected: GET, HEAD, POST)\"}}");
        assertEquals("GET, HEAD, POST", a.header("allow"));
        assertTrue(channel.isOpen(), "no body left unread: the connection stays");
        assertEquals(200, wire.send(Fixtures.get("/networkmap")).answer().status());
        assertEquals(1, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void notAllowedMethodWithBodyClosesTheConnection() {
        Answer a = wire.sendRaw("PUT /networkmap HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n").answer();
        assertEquals(405, a.status());
        assertEquals("close", a.header("connection"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void declaredBodyTooLargeIsRefusedBeforeItIsRead() {
        Answer a = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + (MAX_BODY + 1) + "\r\n\r\n").answer();
        assertAltoError(a, 413, syntaxError("request body larger than 100 bytes"));
        assertEquals("close", a.header("connection"));
        assertFalse(channel.isOpen());
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bodyOfExactlyTheLimitIsAccepted() {
        String body = "x".repeat(MAX_BODY);
        assertEquals(200, wire.send(Fixtures.post("/costmap", "application/json", body)).answer().status());
        assertEquals(1, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void chunkedBodyIsCountedAsItArrives() {
        wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
                .sendMore("3c\r\n" + "x".repeat(60) + "\r\n");
        assertTrue(wire.answers().isEmpty(), "60 bytes are within the limit");
        wire.sendMore("3c\r\n" + "y".repeat(60) + "\r\n");
        Answer a = wire.answer();
        assertEquals(413, a.status());
        assertFalse(channel.isOpen(), "the rest of the body is unread: close");
        wire.sendMore("0\r\n\r\n");
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void overlongRequestLineIs414() {
        Answer a = wire.sendRaw("GET /" + "a".repeat(FrontEndConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH)
                + " HTTP/1.1\r\nHost: a\r\n\r\n").answer();
        assertAltoError(a, 414, syntaxError("request line longer than 4096 bytes"));
        assertFalse(channel.isOpen());
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void oversizedHeaderSectionIs431() {
        String header = "X-Filler: " + "b".repeat(1000) + "\r\n";
        Answer a = wire.sendRaw("GET /networkmap HTTP/1.1\r\nHost: a\r\n" + header.repeat(20) + "\r\n").answer();
        assertAltoError(a, 431,
                syntaxError("header section larger than 16384 bytes"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GARBAGE\r\n\r\n",
        "GET /networkmap HTTP/1.1\r\nBad Header Name: a\r\n\r\n",
    })
    void undecodableRequestIs400AndCloses(String raw) {
        Answer a = wire.sendRaw(raw).answer();
        assertAltoError(a, 400, syntaxError("malformed request"));
        assertFalse(channel.isOpen());
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void allowNamesWhatTheServiceSaysTheResourceAccepts() {
        EmbeddedFrontEnd resources = new EmbeddedFrontEnd(new AltoService() {
            @Override
            public CompletableFuture<Reply> handle(AltoRequest request) {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly()));
            }

            @Override
            public String allow(String path) {
                return path.equals("/networkmap") ? "GET, HEAD" : path.equals("/endpointcost") ? "POST" : null;
            }
        });
        try {
            Answer doc = resources.sendRaw("PUT /networkmap HTTP/1.1\r\nHost: a\r\n\r\n").answer();
            assertEquals(405, doc.status());
            assertEquals("GET, HEAD", doc.header("allow"));
            assertTrue(doc.text().contains("\"message\":\"method: PUT (expected: GET, HEAD)\""), doc.text());
            Answer query = resources.sendRaw("DELETE /endpointcost HTTP/1.1\r\nHost: a\r\n\r\n").answer();
            assertEquals(405, query.status());
            assertEquals("POST", query.header("allow"));
            Answer none = resources.sendRaw("DELETE /nothing HTTP/1.1\r\nHost: a\r\n\r\n").answer();
            assertEquals(404, none.status());
            assertNull(none.header("allow"));
            assertEquals("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"uri\",\"value\":\"/nothing\","
                    + "\"message\":\"uri: no such resource\"}}", none.text());
            assertTrue(resources.channel().isOpen());
            assertEquals(0, calls.get());
            assertFalse(resources.channel().finishAndReleaseAll());
        } finally {
            resources.closeClient();
        }
    }

    @Test
    void http11WithoutHostIs400NamingTheField() {
        Answer a = wire.sendRaw("GET /networkmap HTTP/1.1\r\nAccept: */*\r\n\r\n").answer();
        assertAltoError(a, 400, "{\"meta\":{\"code\":\"E_MISSING_FIELD\",\"field\":\"host\","
                + "\"message\":\"missing field: host (required in HTTP/1.1, RFC 9112 §3.2)\"}}");
        assertTrue(channel.isOpen(), "nothing left unread: the connection stays");
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http11WithTwoHostsIs400NamingTheField() {
        Answer a = wire.sendRaw("GET /networkmap HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").answer();
        assertAltoError(a, 400, "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"host\",\"value\":\"a, b\","
                + "\"message\":\"host: more than one field (expected: exactly one, RFC 9112 §3.2)\"}}");
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http11WithoutHostAndWithABodyClosesAfterThe400() {
        Answer a = wire.sendRaw("POST /costmap HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}").answer();
        assertEquals(400, a.status());
        assertEquals("close", a.header("connection"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10WithoutHostIsServed() {
        Answer a = wire.sendRaw("GET /networkmap HTTP/1.0\r\n\r\n").answer();
        assertEquals(200, a.status());
        assertEquals(1, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void otherMajorVersionIs505() {
        Answer a = wire.sendRaw("GET /networkmap HTTP/2.0\r\nHost: a\r\n\r\n").answer();
        assertAltoError(a, 505, syntaxError("unsupported protocol version HTTP/2.0 (expected: HTTP/1.x)"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void malformedChunkFramingIs400AndCloses() {
        wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
                .sendMore("zz\r\nxx\r\n");
        Answer a = wire.answer();
        assertEquals(400, a.status());
        assertFalse(channel.isOpen());
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void badPercentEncodingIs400AndKeepsTheConnection() {
        Answer a = wire.sendRaw("GET /network%zzmap HTTP/1.1\r\nHost: a\r\n\r\n").answer();
        assertAltoError(a, 400,
                syntaxError("request target: invalid percent-encoding"));
        assertTrue(channel.isOpen());
        assertEquals(200, wire.send(Fixtures.get("/networkmap")).answer().status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void frontEndErrorsFollowTheDialectOfThePath() {
        Answer a = wire.sendRaw("DELETE /xml/prop/pid HTTP/1.1\r\nHost: a\r\n\r\n").answer();
        assertEquals(405, a.status());
        assertEquals("application/xml", a.header("content-type"));
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><error code=\"E_INVALID_FIELD_VALUE\""
                + " field=\"method\" value=\"DELETE\">method: DELETE (expected: GET, HEAD, POST)</error></alto>",
                a.text());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void expectContinueGetsContinueThenTheAnswer() {
        wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        // The interim answer is read as its own message; the final one belongs to the same request.
        List<Answer> interim = wire.answers();
        assertEquals(1, interim.size());
        assertEquals(100, interim.get(0).status());
        assertEquals(0, calls.get());
        wire.sendMore("{}{}");
        List<Answer> answers = wire.answers();
        assertEquals(1, answers.size());
        assertEquals(200, answers.get(0).status());
        assertEquals(1, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void expectContinueWithTooLargeBodyGets413Instead() {
        Answer a = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n")
                .answer();
        assertEquals(413, a.status());
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unknownExpectationIs417() {
        Answer a = wire.sendRaw("GET /networkmap HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n").answer();
        assertAltoError(a, 417, "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"expect\",\"value\":\"teapot\","
                + "\"message\":\"expect: teapot (expected: 100-continue)\"}}");
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void expectationInHttp10IsIgnored() {
        Answer a = wire.sendRaw("GET /networkmap HTTP/1.0\r\nExpect: teapot\r\n\r\n").answer();
        assertEquals(200, a.status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "GZIP", "identity, gzip", "br", "x-gzip"})
    void aContentCodedBodyIs415BeforeItIsRead(String coding) {
        Answer a = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Encoding: " + coding + "\r\nContent-Length: 20\r\n\r\n\u001f\u008b\u0008").answer();
        String named = coding.toLowerCase(java.util.Locale.ROOT).replace("identity, ", "");
        assertAltoError(a, 415, "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"content-encoding\","
                + "\"value\":\"" + coding + "\",\"message\":\"content-encoding: content coding " + named
                + " not supported (expected: identity, RFC 9110 §15.5.16)\"}}");
        assertEquals("identity", a.header("accept-encoding"));
        assertEquals("close", a.header("connection"), "the body is not read");
        assertFalse(channel.isOpen());
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aChunkedContentCodedBodyIs415Too() {
        Answer a = wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").answer();
        assertEquals(415, a.status());
        assertEquals(0, calls.get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void identityOrNoBodyIsNoContentCoding() {
        assertEquals(200, wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Encoding: identity\r\n"
                + "Content-Length: 2\r\n\r\n{}").answer().status());
        assertEquals(200, wire.sendRaw("GET /networkmap HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n\r\n")
                .answer().status());
        assertEquals(2, calls.get());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void theMethodIsCheckedBeforeTheContentCoding() {
        Answer a = wire.sendRaw("PUT /networkmap HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n"
                + "Content-Length: 5\r\n\r\n").answer();
        assertEquals(405, a.status());
        assertFalse(channel.finishAndReleaseAll());
    }

    /** An E_SYNTAX body as served: the reason is its syntax-error (RFC 7285 §8.5.2) and its message. */
    private static String syntaxError(String reason) {
        return "{\"meta\":{\"code\":\"E_SYNTAX\",\"syntax-error\":\"" + reason + "\",\"message\":\"" + reason + "\"}}";
    }
}
