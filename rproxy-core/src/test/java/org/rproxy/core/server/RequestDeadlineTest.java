package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Idle and slow connections are closed without an answer (RFC 9112 §9.5); slow services are not the client's fault. */
class RequestDeadlineTest {

    private static final long TIMEOUT_MS = 1_000;

    private CompletableFuture<Reply> stage = CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly()));
    private final EmbeddedFrontEnd wire = new EmbeddedFrontEnd(
            FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(Duration.ofMillis(TIMEOUT_MS)), request -> stage);
    private final EmbeddedChannel channel = wire.channel();

    @AfterEach
    void closeClient() {
        wire.closeClient();
    }

    @Test
    void silentConnectionIsClosedAtTheTimeout() {
        wire.advance(TIMEOUT_MS - 1);
        assertTrue(channel.isOpen());
        wire.advance(1);
        assertFalse(channel.isOpen());
        assertTrue(wire.answers().isEmpty(), "closed quietly");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void dribblingTheHeadDoesNotRestartTheClock() {
        wire.sendRaw("GET /networkmap HTTP/1.1\r\n");
        wire.advance(TIMEOUT_MS / 2);
        wire.sendMore("Host: a\r\n");
        wire.advance(TIMEOUT_MS / 2 - 1);
        wire.sendMore("X-Slow: 1\r\n");
        assertTrue(channel.isOpen());
        wire.advance(1);
        assertFalse(channel.isOpen());
        assertTrue(wire.answers().isEmpty());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void dribblingTheBodyIsClosedOneTimeoutAfterTheHead() {
        wire.advance(TIMEOUT_MS - 10);
        wire.sendRaw("POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
        wire.advance(TIMEOUT_MS / 2);
        wire.sendMore("12345");
        wire.advance(TIMEOUT_MS / 2 - 1);
        assertTrue(channel.isOpen(), "the head started a fresh period for the body");
        wire.advance(1);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aSlowServiceDoesNotCloseTheConnection() {
        stage = new CompletableFuture<>();
        wire.sendRaw("GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n");
        wire.advance(TIMEOUT_MS * 5);
        assertTrue(channel.isOpen());
        stage.complete(Reply.ok(Fixtures.identityOnly()));
        assertEquals(200, wire.answer().status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void idleKeepAliveIsClosedOneTimeoutAfterTheLastAnswer() {
        wire.advance(TIMEOUT_MS - 10);
        assertEquals(200, wire.send(Fixtures.get("/networkmap")).answer().status());
        wire.advance(TIMEOUT_MS - 1);
        assertTrue(channel.isOpen(), "the answer started a fresh idle period");
        wire.advance(1);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void busyConnectionStaysOpen() {
        for (int i = 0; i < 5; i++) {
            wire.advance(TIMEOUT_MS - 1);
            assertEquals(200, wire.send(Fixtures.get("/networkmap")).answer().status());
        }
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }
}
