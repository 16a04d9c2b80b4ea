package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.push.PushFeed;
import org.slf4j.LoggerFactory;

/** What a push proxy says at start and about its update stream: subscribing, open, lost and why. */
class PushModeLogTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger feedLogger = (Logger) LoggerFactory.getLogger(PushFeed.class);

    private Level level;
    /** The upstream nobody answers at: refused, and no other socket of the test (its proxy's own listener) can take the port. */
    private final RefusedPort refused = RefusedPort.open();

    @BeforeEach
    void capture() {
        log.start();
        feedLogger.addAppender(log);
        level = feedLogger.getLevel();
        feedLogger.setLevel(Level.INFO); // the tests' logging may be quieter
    }

    @AfterEach
    void release() throws IOException {
        feedLogger.detachAppender(log);
        feedLogger.setLevel(level);
        refused.close();
    }

    private boolean logged(Predicate<String> line) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (List.copyOf(log.list).stream().map(ILoggingEvent::getFormattedMessage).anyMatch(line)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** The push proxy's start line in the log is said by the push proxy, not by the pull half it is built on. */
    @Test
    void thePushProxyLogsItsStartUnderItsOwnName() throws Exception {
        int closed = refused.port();
        ProxyConfig c = new ProxyConfig(ProxyConfig.Mode.PUSH, "push-2", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create("http://127.0.0.1:" + closed), List.of(SignedOrigin.anyKey(dir))), null,
                null, null);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level rootLevel = root.getLevel();
        ListAppender<ILoggingEvent> all = new ListAppender<>();
        all.start();
        root.addAppender(all);
        root.setLevel(Level.INFO);
        try (PushPullProxy proxy = PushMode.start(c, 0)) {
            List<String> starts = List.copyOf(all.list).stream().filter(e -> e.getFormattedMessage().startsWith("proxy push-2 on " + proxy.baseUri()))
                    .map(ILoggingEvent::getLoggerName).toList();
            assertEquals(List.of(PushPullProxy.class.getName()), starts, all.list.toString());
        } finally {
            root.detachAppender(all);
            root.setLevel(rootLevel);
        }
    }

    @Test
    void theStartLineSaysSubscribingAndTheAdminAddressAndALostStreamSaysWhyInWords() throws Exception {
        int closed = refused.port();
        ProxyConfig c = new ProxyConfig(ProxyConfig.Mode.PUSH, "push-1", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create("http://127.0.0.1:" + closed), List.of(SignedOrigin.anyKey(dir))), null,
                null, new AdminConfig(new Address("127.0.0.1", 0)));
        try (PushPullProxy proxy = PushMode.start(c, 0)) {
            String line = PushMode.startLine(c, proxy);
            assertTrue(line.startsWith("proxy (push) push-1 listening on " + proxy.baseUri()
                    + "; subscribing to the update stream of [http://127.0.0.1:" + closed + "]"), line);
            assertTrue(line.endsWith("; admin on http://127.0.0.1:" + proxy.pull().adminAddress().getPort()), line);
            assertFalse(line.contains("subscribed"), line);
            assertTrue(logged(m -> m.matches("update stream from http://127\\.0\\.0\\.1:" + closed
                    + " lost \\(directory: connection refused\\); reconnecting in \\d+ ms \\(failures are summarised every 10 min"
                    + " until a stream is accepted\\)")), log.list.toString());
        }
    }

    @Test
    void theLogSaysWhenTheUpdateStreamOpens() throws Exception {
        try (RunningDemo demo = RunningDemo.start(dir, 0)) {
            assertTrue(logged(m -> m.startsWith("update stream from " + demo.origin().baseUri()) && m.endsWith(" open")),
                    log.list.toString());
        }
    }
}
