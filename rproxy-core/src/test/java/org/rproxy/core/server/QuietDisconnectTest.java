package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import javax.net.ssl.SSLHandshakeException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.rproxy.core.testing.CapturedLogs;

/**
 * Clients that leave in the middle (half-closed after a request, truncated heads and bodies,
 * resets) are the normal life of a public port: they must cost no stack trace and only a bounded
 * amount of log, however many there are.
 */
class QuietDisconnectTest {

    private static final int CONNECTIONS = 2_000;
    private static final int MAX_EVENTS = 20;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private CapturedLogs appender;
    private final ExecutorService work = Executors.newFixedThreadPool(2);
    private Level rootLevel;
    private AltoHttpServer server;

    @BeforeEach
    void capture() {
        appender = CapturedLogs.ofRoot();
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        if (server != null) {
            server.close();
        }
        work.shutdownNow();
        appender.close();
        root.setLevel(rootLevel);
    }

    @Test
    void ioFailuresWrappedOrNotAreTheClientLeavingAndAnythingElseIsAFault() {
        assertTrue(ConnectionFailures.clientGone(new IOException("Connection reset by peer")));
        assertTrue(ConnectionFailures.clientGone(new DecoderException(new SSLHandshakeException("no cipher suites in common"))));
        assertFalse(ConnectionFailures.clientGone(new IllegalStateException("a bug")));
        assertFalse(ConnectionFailures.clientGone(new DecoderException("a bug")));
        assertTrue(ConnectionFailures.clientGone(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "bad frame")));
        assertFalse(ConnectionFailures.clientGone(Http2Exception.connectionError(Http2Error.INTERNAL_ERROR, "a bug")));
    }

    /**
     * A client that sends HTTP/2's preface and then a frame that is not SETTINGS broke the
     * protocol: the codec answers it with a GOAWAY, and the log says so at debug, without a trace.
     */
    @Test
    void aBrokenHttp2PrefaceIsTheClientsFaultNotAWarning() throws IOException {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), request ->
                CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly())));
        int atStart = appender.count();
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket()) {
                s.connect(server.localAddress(), 10_000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[64]);
                out.flush();
                s.getInputStream().readAllBytes(); // the server's SETTINGS and GOAWAY, then its close
            }
        }
        assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(30)), "every connection closed");
        List<ILoggingEvent> all = appender.events();
        List<ILoggingEvent> events = all.subList(atStart, all.size());
        assertEquals(List.of(), events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                || e.getThrowableProxy() != null).map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
    }

    /** The variants a flood of broken clients sends, each followed by a half-close or a reset. */
    private static final List<String> BROKEN = List.of(
            "GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\nGET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /network",
            "GET /networkmap HTTP/1.1\r\nHost: a\r\nAccept: ",
            "POST /costmap HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{\"half\":",
            "POST /costmap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
            "");

    @Test
    void thousandsOfHalfClosedRequestsLogNoStackTraceAndLittleElse() throws IOException {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), request ->
                // Answers come from another thread, as queries and upstream fetches do.
                CompletableFuture.supplyAsync(() -> Reply.ok(Fixtures.identityOnly()), work));
        int infoAtStart = appender.count();
        for (int i = 0; i < CONNECTIONS; i++) {
            String request = BROKEN.get(i % BROKEN.size());
            try (Socket s = new Socket()) {
                s.connect(server.localAddress(), 10_000);
                OutputStream out = s.getOutputStream();
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (i % 3 == 0) {
                    s.setSoLinger(true, 0); // closes with a reset
                } else {
                    s.shutdownOutput();
                }
            }
        }
        // The server still serves, and every broken connection is gone before the log is read.
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /networkmap HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertTrue(SocketReads.readHead(in).startsWith("HTTP/1.1 200 "));
            in.readAllBytes();
        }
        assertTrue(server.awaitConnectionsClosed(Duration.ofSeconds(30)), "every connection closed");
        List<ILoggingEvent> all = appender.events();
        List<ILoggingEvent> events = all.subList(infoAtStart, all.size());
        String logged = events.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : " THROWABLE " + e.getThrowableProxy().getClassName()))
                .collect(Collectors.joining("\n"));
        assertEquals(List.of(), events.stream().filter(e -> e.getThrowableProxy() != null)
                .map(ILoggingEvent::getFormattedMessage).toList(), "no stack trace:\n" + logged);
        assertTrue(events.size() <= MAX_EVENTS, events.size() + " events:\n" + logged);
    }
}
