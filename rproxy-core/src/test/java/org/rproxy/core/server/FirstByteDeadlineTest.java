package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A connection that sends nothing is closed at the first-byte timeout, well before the idle timeout. */
class FirstByteDeadlineTest {

    private static final long FIRST_BYTE_MS = 200;
    private static final long IDLE_MS = 1_000;

    private final EmbeddedFrontEnd wire = new EmbeddedFrontEnd(FrontEndConfig.defaults("127.0.0.1", 0)
            .withIdleTimeout(Duration.ofMillis(IDLE_MS)).withFirstByteTimeout(Duration.ofMillis(FIRST_BYTE_MS)),
            Fixtures.serving(Fixtures.identityOnly()));
    private final EmbeddedChannel channel = wire.channel();

    @AfterEach
    void closeClient() {
        wire.closeClient();
    }

    @Test
    void silentConnectionIsClosedAtTheFirstByteTimeoutWithoutAnAnswer() {
        wire.advance(FIRST_BYTE_MS - 1);
        assertTrue(channel.isOpen());
        wire.advance(1);
        assertFalse(channel.isOpen());
        assertTrue(wire.answers().isEmpty());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void oneByteHandsTheConnectionToTheIdleTimeout() {
        wire.sendRaw("G");
        assertNull(channel.pipeline().get(AltoChannelInitializer.FIRST_BYTE), "the handler has left");
        wire.advance(FIRST_BYTE_MS);
        assertTrue(channel.isOpen());
        wire.advance(IDLE_MS - FIRST_BYTE_MS);
        assertFalse(channel.isOpen(), "a head that never completes is the idle timeout's");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aConnectionServedAndThenSilentIsTheIdleTimeoutsNotTheFirstBytes() {
        assertEquals(200, wire.send(Fixtures.get("/networkmap")).answer().status());
        wire.advance(IDLE_MS - 1);
        assertTrue(channel.isOpen());
        wire.advance(1);
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }
}
