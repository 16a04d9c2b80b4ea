package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.log.RateLimitedLog;
import org.slf4j.LoggerFactory;

/**
 * The listening socket out of descriptors, or at its ceiling of accepted sockets: accepting
 * pauses, one quiet line is logged, accepting resumes.
 */
class AcceptGuardTest {

    private static final int CEILING = 3;

    private final Logger log = (Logger) LoggerFactory.getLogger(AltoHttpServer.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final EmbeddedChannel listener = new EmbeddedChannel();

    AcceptGuardTest() {
        logged.start();
        log.addAppender(logged);
        listener.freezeTime();
        listener.pipeline().addLast(new AcceptGuard(connections,
                new RateLimitedLog(Duration.ofSeconds(10)),
                CEILING));
    }

    @AfterEach
    void detach() {
        log.detachAppender(logged);
        listener.finishAndReleaseAll();
    }

    private void advance(long millis) {
        listener.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
    }

    @Test
    void acceptFailuresPauseAcceptingWithOneLineAndNoStackTrace() {
        for (int i = 0; i < 100; i++) {
            listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        }
        listener.checkException(); // nothing reached the end of the pipeline
        assertFalse(listener.config().isAutoRead(), "accepting paused");
        List<ILoggingEvent> events = List.copyOf(logged.list);
        assertEquals(1, events.size());
        assertEquals("cannot accept connections (java.io.IOException: Too many open files); pausing accepts for 1000 ms",
                events.get(0).getFormattedMessage());
        assertNull(events.get(0).getThrowableProxy());

        advance(AcceptGuard.PAUSE_MILLIS - 1);
        assertFalse(listener.config().isAutoRead());
        advance(1);
        assertTrue(listener.config().isAutoRead(), "accepting again");
    }

    @Test
    void acceptedConnectionsJoinTheGroupAndPassOn() {
        EmbeddedChannel child = new EmbeddedChannel();
        listener.writeInbound(child);
        assertTrue(connections.contains(child));
        assertSame(child, listener.readInbound());
        child.close();
        assertFalse(connections.contains(child), "a closed connection leaves the group");
    }

    @Test
    void acceptingStopsAtTheCeilingHoweverSlowlyTheWorkersRefuseAndResumesWhenOneCloses() {
        List<EmbeddedChannel> children = new ArrayList<>();
        for (int i = 0; i < CEILING - 1; i++) {
            children.add(accept());
        }
        assertTrue(listener.config().isAutoRead(), "below the ceiling, accepting goes on");
        children.add(accept());
        assertFalse(listener.config().isAutoRead(), "at the ceiling, accepting stops");
        assertEquals(1, logged.list.size());
        assertEquals("3 connections open, the most this server holds; accepting paused until one closes",
                logged.list.get(0).getFormattedMessage());

        advance(AcceptGuard.PAUSE_MILLIS); // a failure's pause ending does not lift the ceiling
        assertFalse(listener.config().isAutoRead());
        children.get(0).close();
        listener.runPendingTasks();
        assertTrue(listener.config().isAutoRead(), "one closed: accepting resumes");
        children.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private EmbeddedChannel accept() {
        EmbeddedChannel child = new EmbeddedChannel();
        listener.writeInbound(child);
        assertSame(child, listener.readInbound());
        return child;
    }
}
