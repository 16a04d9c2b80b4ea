package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;

import org.junit.jupiter.api.Test;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;

/** A connection past {@link FrontEndConfig#maxConnections()} gets 503 at once and is closed; the others go on. */
class OverloadTest {

    private final FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1);
    private final ConnectionLimit limit = new ConnectionLimit(config.maxConnections());
    private final AltoService service = Fixtures.serving(Fixtures.identityOnly());

    private EmbeddedFrontEnd connect() {
        return new EmbeddedFrontEnd(config, service, RequestObserver.noop(), limit);
    }

    @Test
    void extraConnectionGets503AndClosesWhileTheFirstIsServed() {
        EmbeddedFrontEnd first = connect();
        EmbeddedFrontEnd second = connect();
        EmbeddedChannel served = first.channel();
        EmbeddedChannel refused = second.channel();
        assertEquals(1, limit.open());

        // Answered on accept: a client that never sends anything does not keep the connection.
        Answer a = second.answer();
        assertEquals(503, a.status());
        assertEquals("1", a.header("retry-after"));
        assertEquals("close", a.header("connection"));
        assertEquals("no-store", a.header("cache-control"));
        assertEquals("too many connections, retry later\n", a.text());
        assertEquals("text/plain; charset=utf-8", a.header("content-type"), "a server condition: no ALTO error code");
        assertFalse(refused.isOpen(), "closed after the answer (an embedded channel cannot half-close)");

        assertEquals(200, first.send(Fixtures.get("/networkmap")).answer().status());
        assertTrue(served.isOpen());

        assertFalse(served.finishAndReleaseAll());
        assertEquals(0, limit.open(), "closing gives the place back");
        EmbeddedFrontEnd third = connect();
        assertEquals(200, third.send(Fixtures.get("/networkmap")).answer().status());

        first.closeClient();
        second.closeClient();
        third.closeClient();
        assertFalse(refused.finishAndReleaseAll());
        assertFalse(third.channel().finishAndReleaseAll());
    }
}
