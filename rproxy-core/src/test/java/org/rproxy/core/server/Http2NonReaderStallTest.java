package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * HTTP/2 clients that ask for large answers, read nothing, and used to keep their connections
 * past the write-stall timeout: one that opens its windows wide and keeps the node sending (a
 * PING and an empty SETTINGS now and then, acknowledgements that queued behind the answers and
 * grew the outbound buffer, which was taken for progress), and one that opens its streams'
 * windows but never the connection's (the socket took the first 64 KB, the buffer stayed empty,
 * which was taken for progress too, while the answers waited for credit in the flow controller;
 * and the same reading its socket and pinging, whose acknowledgements reached the socket and were
 * taken for its answers' progress). Progress is bytes reaching the socket now ({@link SocketWrites}),
 * and, while the connection's window stays shut, only with connection credit between two looks
 * ({@link WriteProgress.ConnectionCredit}); each is closed by the stall timeout, as is a non-reader
 * over TLS that sends frames the node does not answer. A real front end and raw sockets, whose
 * readers are never started but for the client that reads and pings.
 * The cases run at once: each has its own front end and client, and mostly waits for the stall
 * timeout while its client sends a frame now and then.
 */
@Execution(ExecutionMode.CONCURRENT)
class Http2NonReaderStallTest {

    private static final Duration TIMEOUT = Duration.ofMillis(1000);
    /** Ten frames the node answers per timeout period. */
    private static final long FRAME_EVERY_NANOS = TIMEOUT.toNanos() / 10;
    /** How long the client goes on at most: ten timeouts, where the stall timeout needs about two. */
    private static final Duration PLAYING = TIMEOUT.multipliedBy(10);

    @TempDir
    Path dir;
    private HostileHttp2Target target;

    @AfterEach
    void stop() throws Exception {
        if (target != null) {
            target.stop();
        }
    }

    @Test
    void aClientThatReadsNothingButKeepsPingingIsClosedByTheStallTimeout() throws Exception {
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT)
                .withSendBufferBytes(16 * 1024));
        playNonReader(null, "PINGs and SETTINGS", (c, n) -> {
            if (n % 2 == 0) {
                c.frame(RawHttp2Client.SETTINGS, 0, 0, new byte[0]);
            } else {
                c.ping(n);
            }
        });
        target.anotherClientIsServed();
    }

    /**
     * Over TLS, frames the node does not answer (PRIORITY for streams never opened): whatever the
     * client sends, only bytes the socket takes are progress.
     */
    @Test
    void aClientThatReadsNothingButKeepsSendingOverTlsIsClosedByTheStallTimeout() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))).withSendBufferBytes(16 * 1024));
        playNonReader(Tls.jdkClient(cert.cert()), "PRIORITY frames",
                (c, n) -> c.frame(RawHttp2Client.PRIORITY, 0, 1001 + 2 * n, new byte[] {0, 0, 0, 0, 16}));
    }

    /** Something the client writes now and then: its {@code n}th frame or frames, unflushed. */
    private interface Sending {
        void send(RawHttp2Client client, int n) throws IOException;
    }

    /**
     * A client that opens its windows wide, asks for four large answers, reads nothing, and writes {@code sending}
     * ten times per timeout, for ten timeouts at most: its connection is closed by the stall timeout meanwhile.
     */
    private void playNonReader(SSLContext tls, String what, Sending sending) throws Exception {
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), tls, 4096,
                RawHttp2Client.SETTINGS_INITIAL_WINDOW_SIZE, RawHttp2Client.MAX_WINDOW)); // never reads
        c.windowUpdate(0, RawHttp2Client.MAX_WINDOW - RawHttp2Client.DEFAULT_WINDOW);
        askForLargeAnswers(c);
        playUntilClosed(c, n -> "read nothing and sent " + n + " " + what, () -> "", sending);
    }

    /** Four GETs of the large answer on streams 1, 3, 5, 7, once the node serves the connection. */
    private void askForLargeAnswers(RawHttp2Client c) throws Exception {
        for (int i = 0; i < 4; i++) {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 2 * i + 1,
                    RawHttp2Client.requestHead("GET", "/large"));
        }
        c.flush();
        Eventually.await("the connection served", RawHttp2Client.WAIT, () -> !target.server().openConnections().isEmpty());
    }

    /**
     * Writes {@code sending} ten times per timeout, for ten timeouts at most, until the node closes the connection;
     * fails saying what the client did ({@code did} of the frames sent) and {@code more} when it is still open.
     */
    private void playUntilClosed(RawHttp2Client c, IntFunction<String> did, Supplier<String> more, Sending sending)
            throws Exception {
        long start = System.nanoTime();
        long until = start + PLAYING.toNanos();
        int frames = 0;
        boolean refused = false;
        while (!target.server().openConnections().isEmpty() && System.nanoTime() < until) {
            try {
                sending.send(c, ++frames);
                c.flush();
            } catch (IOException e) {
                refused = true; // the node closed the connection (its reset reached this write)
                break;
            }
            LockSupport.parkNanos(FRAME_EVERY_NANOS);
        }
        if (refused) {
            Eventually.await("the connection gone from the node", RawHttp2Client.WAIT,
                    () -> target.server().openConnections().isEmpty());
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(target.server().openConnections().isEmpty(), "a client that " + did.apply(frames)
                + " still has its connection after " + took + " ms (stall timeout " + TIMEOUT.toMillis() + " ms" + more.get() + ")");
    }

    /**
     * Windows open for its streams but not for its connection, kernel-sized socket buffers: the
     * node sends the connection's first 64 KB, the socket takes all of it, and the answers wait in
     * the flow controller for connection credit the client never gives. The node's outbound buffer
     * was empty, which counted as progress (nothing waits for the socket), so the connection and its
     * 32 answers stayed for as long as the client did, without it sending a frame.
     */
    @Test
    void aClientThatNeverGivesConnectionCreditIsClosedByTheStallTimeout() throws Exception {
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT));
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), null, 0,
                RawHttp2Client.SETTINGS_INITIAL_WINDOW_SIZE, RawHttp2Client.MAX_WINDOW)); // never reads
        askForLargeAnswers(c);
        Eventually.await("the connection closed by the stall timeout (" + TIMEOUT.toMillis() + " ms)", PLAYING,
                () -> target.server().openConnections().isEmpty());
        target.anotherClientIsServed();
    }

    /**
     * As the client above, but it reads its socket and sends a PING now and then: the node's PING
     * acknowledgements reach its socket, while the answers still wait for connection credit.
     */
    @Test
    void aClientThatReadsAndPingsButNeverGivesConnectionCreditIsClosedByTheStallTimeout() throws Exception {
        target = new HostileHttp2Target(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(TIMEOUT));
        RawHttp2Client c = target.add(new RawHttp2Client(target.address(), null, 0,
                RawHttp2Client.SETTINGS_INITIAL_WINDOW_SIZE, RawHttp2Client.MAX_WINDOW)).startReading();
        askForLargeAnswers(c);
        playUntilClosed(c, n -> "read its socket, sent " + n + " PINGs and gave no connection credit",
                () -> "; its DATA read: " + c.dataBytes.get() + " bytes", (client, n) -> client.ping(n));
        target.anotherClientIsServed();
    }
}
