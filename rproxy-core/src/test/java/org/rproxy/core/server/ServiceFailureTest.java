package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;
import org.slf4j.LoggerFactory;

/** Reply.Error in both dialects, and services that fail: 500 with an ALTO body, logged once. */
class ServiceFailureTest {

    /** A server condition: its message as text, no ALTO error code (RFC 7285 §8.5; AltoError#serverCondition). */
    private static final String INTERNAL_JSON = "internal error\n";

    private final Logger log = (Logger) LoggerFactory.getLogger(ExchangeHandler.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private EmbeddedFrontEnd wire;

    @BeforeEach
    void captureLog() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void release() {
        log.detachAppender(logged);
        if (wire != null) {
            wire.closeClient();
        }
    }

    private EmbeddedChannel serve(AltoService service) {
        wire = new EmbeddedFrontEnd(service);
        return wire.channel();
    }

    private List<ILoggingEvent> errors() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    }

    @Test
    void exceptionalStageIs500WithoutStackTraceAndIsLoggedOnce() {
        EmbeddedChannel channel = serve(request -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        Answer a = wire.send(Fixtures.get("/networkmap")).answer();
        assertEquals(500, a.status());
        assertEquals("text/plain; charset=utf-8", a.header("content-type"));
        assertEquals("no-store", a.header("cache-control"));
        assertEquals(INTERNAL_JSON, a.text());
        assertEquals(1, errors().size());
        assertNotNull(errors().get(0).getThrowableProxy(), "logged with the stack trace");
        assertEquals("boom", errors().get(0).getThrowableProxy().getMessage());
        assertTrue(channel.isOpen(), "a service bug does not cost the client its connection");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aServiceConditionAnswered503SaysWhenToComeBack() {
        EmbeddedChannel channel = serve(request -> CompletableFuture.completedFuture(Reply.error(
                AltoError.serverCondition("too many queries in progress; try again", 503), Dialect.JSON)));
        Answer a = wire.send(Fixtures.get("/endpointcost")).answer();
        assertEquals(503, a.status());
        assertEquals("1", a.header("retry-after"));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void serviceThrowingInsteadOfReturningIs500() {
        EmbeddedChannel channel = serve(request -> {
            throw new IllegalArgumentException("thrown");
        });
        assertEquals(INTERNAL_JSON, wire.send(Fixtures.get("/networkmap")).answer().text());
        assertEquals(1, errors().size());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void stageCompletedWithNullIs500() {
        EmbeddedChannel channel = serve(request -> CompletableFuture.completedFuture(null));
        assertEquals(500, wire.send(Fixtures.get("/networkmap")).answer().status());
        assertEquals(1, errors().size());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void internalErrorIsTextInTheXmlDialectToo() {
        wire = new EmbeddedFrontEnd(FrontEndConfig.defaults("127.0.0.1", 0).withDialectOf(p -> Dialect.XML),
                request -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        EmbeddedChannel channel = wire.channel();
        Answer a = wire.send(Fixtures.get("/prop/pid")).answer();
        assertEquals(500, a.status());
        assertEquals("text/plain; charset=utf-8", a.header("content-type"));
        assertEquals(INTERNAL_JSON, a.text());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void replyErrorInXmlDialect() {
        AltoError error = AltoError.invalidValue("srcpid", "PID<9>", "unknown PID");
        EmbeddedChannel channel = serve(request -> CompletableFuture.completedFuture(Reply.error(error, Dialect.XML)));
        Answer a = wire.send(Fixtures.get("/cost/row?srcpid=PID%3C9%3E")).answer();
        assertEquals(400, a.status());
        assertEquals("application/xml", a.header("content-type"));
        assertEquals("no-store", a.header("cache-control"));
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\">"
                + "<error code=\"E_INVALID_FIELD_VALUE\" field=\"srcpid\" value=\"PID&lt;9&gt;\">"
                + "srcpid: unknown PID</error></alto>", a.text());
        assertTrue(errors().isEmpty(), "an expected error is not a bug");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void replyErrorInJsonDialectWithItsOwnStatus() {
        AltoError error = AltoError.of(AltoErrorCode.E_INVALID_FIELD_VALUE, "resource-id", "nope", "no such resource")
                .withStatus(404);
        EmbeddedChannel channel = serve(request -> CompletableFuture.completedFuture(Reply.error(error, Dialect.JSON)));
        Answer a = wire.send(Fixtures.get("/nope")).answer();
        assertEquals(404, a.status());
        assertEquals("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"resource-id\",\"value\":\"nope\","
                + "\"message\":\"no such resource\"}}", a.text());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headOfAnErrorHasNoBody() {
        AltoError error = AltoError.syntax("bad");
        EmbeddedChannel channel = serve(request -> CompletableFuture.completedFuture(Reply.error(error, Dialect.JSON)));
        Answer a = wire.sendRaw("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n").answer();
        assertEquals(400, a.status());
        assertEquals(0, a.body().length);
        assertEquals(String.valueOf(ErrorResponses.body(error, Dialect.JSON).length), a.header("content-length"));
        assertFalse(channel.finishAndReleaseAll());
    }
}
