package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** Answers in request order (RFC 9112 §9.3.2), keep-alive and close (RFC 9112 §9.3), and the in-flight bound. */
class ExchangeOrderingTest {

    /** Stages the test completes by hand, by path. */
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final EmbeddedFrontEnd wire = new EmbeddedFrontEnd(
            request -> pending.computeIfAbsent(request.path(), p -> new CompletableFuture<>()));
    private final EmbeddedChannel channel = wire.channel();

    @AfterEach
    void closeClient() {
        wire.closeClient();
    }

    private static Reply body(String text) {
        Variant v = new Variant(Bytes.utf8(text), null, List.of(new HeaderField("content-type", "text/plain")));
        return Reply.ok(new Representation(v, null, 60, EmbeddedFrontEnd.NOW, EmbeddedFrontEnd.NOW.plus(Duration.ofHours(1))));
    }

    private static List<String> texts(List<Answer> answers) {
        List<String> t = new ArrayList<>();
        answers.forEach(a -> t.add(a.text()));
        return t;
    }

    @Test
    void pipelinedRequestsAreStartedOneAtATimeAndAnsweredInOrder() {
        wire.sendRaw("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(Set.of("/a"), pending.keySet(), "the next is started once the answer before it is handed on");
        pending.get("/a").complete(body("a"));
        assertEquals(Set.of("/a", "/b"), pending.keySet());
        pending.get("/b").complete(body("b"));
        pending.get("/c").complete(body("c"));
        assertEquals(List.of("a", "b", "c"), texts(wire.answers()));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    /**
     * A client that does not take what was written (the connection is not writable) gets no
     * further answer made: made ahead, each held its whole body until the client read or the idle
     * timeout closed the connection, up to 32 of them a connection.
     */
    @Test
    void aConnectionNotTakingItsAnswersGetsNoFurtherAnswerMadeUntilItDoes() {
        wire.sendRaw("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        pending.get("/a").complete(body("a"));
        assertEquals(List.of("a"), texts(wire.answers()));
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        out.setUserDefinedWritability(1, false);
        channel.runPendingTasks(); // the outbound buffer tells of the change in a task of its own
        wire.sendRaw("GET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(Set.of("/a"), pending.keySet(), "nothing started while the client takes nothing");
        out.setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        assertEquals(Set.of("/a", "/b"), pending.keySet(), "started once it takes what was written");
        pending.get("/b").complete(body("b"));
        pending.get("/c").complete(body("c"));
        assertEquals(List.of("b", "c"), texts(wire.answers()));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void stagesCompletedOnAnotherThreadAreAnsweredOnTheEventLoop() throws InterruptedException {
        wire.sendRaw("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        Thread t = new Thread(() -> pending.get("/a").complete(body("a")));
        t.start();
        t.join();
        channel.runPendingTasks();
        assertEquals(List.of("a"), texts(wire.answers()));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void connectionCloseIsHonouredAfterTheAnswer() {
        FullHttpRequest get = Fixtures.get("/a");
        get.headers().set("connection", "close");
        wire.send(get);
        assertTrue(channel.isOpen(), "still owes the answer");
        pending.get("/a").complete(body("a"));
        Answer a = wire.answer();
        assertEquals("close", a.header("connection"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void requestsPipelinedBehindConnectionCloseAreNotAnswered() {
        wire.sendRaw("GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        pending.get("/a").complete(body("a"));
        assertEquals(List.of("a"), texts(wire.answers()));
        assertFalse(channel.isOpen());
        pending.computeIfAbsent("/b", p -> new CompletableFuture<>()).complete(body("b"));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAsked() {
        wire.sendRaw("GET /a HTTP/1.0\r\n\r\n");
        pending.get("/a").complete(body("a"));
        assertEquals("close", wire.answer().header("connection"));
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10KeepAliveIsAnnouncedAndKept() {
        wire.sendRaw("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        pending.get("/a").complete(body("a"));
        assertEquals("keep-alive", wire.answer().header("connection"));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void readingStopsAtTheInFlightBoundAndResumesWhenDrained() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < ExchangeHandler.MAX_IN_FLIGHT; i++) {
            many.append("GET /r").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        wire.sendRaw(many.toString());
        assertFalse(channel.config().isAutoRead());
        for (int i = 0; i < ExchangeHandler.MAX_IN_FLIGHT; i++) {
            pending.get("/r" + i).complete(body("r" + i));
        }
        assertEquals(ExchangeHandler.MAX_IN_FLIGHT, wire.answers().size());
        assertTrue(channel.config().isAutoRead());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void stagesCompletingAfterCloseAreDropped() {
        wire.sendRaw("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        channel.close();
        pending.computeIfAbsent("/b", p -> new CompletableFuture<>()).complete(body("b"));
        pending.get("/a").complete(body("a"));
        assertTrue(wire.answers().isEmpty());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void observerSeesEveryAnswer() {
        List<String> seen = new ArrayList<>();
        EmbeddedFrontEnd observed = new EmbeddedFrontEnd(FrontEndConfig.defaults("127.0.0.1", 0),
                Fixtures.serving(Fixtures.identityOnly()),
                r -> seen.add(r.method() + " " + r.path() + " " + r.status() + " " + r.bodyBytes()),
                new ConnectionLimit(10));
        EmbeddedChannel ch = observed.channel();
        observed.send(Fixtures.get("/networkmap"));
        observed.sendRaw("PUT /x HTTP/1.1\r\nHost: h\r\n\r\n");
        observed.answers();
        assertEquals(List.of("GET /networkmap 200 " + Fixtures.JSON.length(),
                "PUT /x 405 " + ErrorResponses.body(FrontEndErrors.methodNotAllowed("PUT", AltoService.ALL_METHODS), Dialect.JSON).length), seen);
        observed.closeClient();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void http11RequestWithoutConnectionHeaderKeepsTheConnection() {
        FullHttpRequest get = Fixtures.get("/a");
        get.setProtocolVersion(HttpVersion.HTTP_1_1);
        wire.send(get);
        pending.get("/a").complete(body("a"));
        assertEquals("a", wire.answer().text());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }
}
