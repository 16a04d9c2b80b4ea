package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;

/**
 * An answer handed to the socket but not yet all sent (a large map to a client that reads it
 * slowly, with a small send buffer) still arrives whole when the client closes its side after
 * the request (half-close), or when the server stops: the connection closes after its last
 * byte, not at once. Real sockets, since only a real socket holds bytes back; bodies in memory
 * and spooled files.
 */
class AnswerInFlightTest {

    private static final int SIZE = 4 * 1024 * 1024;
    private static final byte[] BODY = new byte[SIZE];

    static {
        new Random(7).nextBytes(BODY);
    }

    @TempDir
    Path dir;

    private AltoHttpServer server;
    private BodySpool spool;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (spool != null) {
            spool.close();
        }
    }

    private void serve(boolean spooled) {
        serve(spooled, CompletableFuture.completedFuture(null));
    }

    /** Serves the document once {@code ready} completes. */
    private void serve(boolean spooled, CompletableFuture<Void> ready) {
        Representation doc = new Representation(new Variant(Bytes.copyOf(BODY), null,
                List.of(new HeaderField("content-type", "application/octet-stream"), new HeaderField("etag", "\"m\""))),
                null, 60, Instant.now(), Instant.now().plus(Duration.ofHours(1)));
        FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0).withSendBufferBytes(16 * 1024)
                .withIdleTimeout(Duration.ofSeconds(20));
        if (spooled) {
            spool = BodySpool.open(dir, 64 * 1024);
            RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 26, spool);
            store.put("m", doc);
            doc = store.get("m");
            config = config.withSpool(spool);
        }
        Representation served = doc;
        server = AltoHttpServer.start(config, request -> ready.thenApply(v -> Reply.ok(served)));
    }

    private Socket ask(boolean halfClose) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 * 1024);
        s.connect(server.localAddress(), 5_000);
        s.setSoTimeout(20_000);
        s.getOutputStream().write("GET /m HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        if (halfClose) {
            s.shutdownOutput();
        }
        return s;
    }

    /** Reads the head, waits (the server's side fills up meanwhile), then the rest: the whole body, then the end. */
    private static void readWhole(Socket s, Runnable meanwhile) throws Exception {
        InputStream in = s.getInputStream();
        String head = SocketReads.readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertTrue(head.toLowerCase(Locale.ROOT).contains("content-length: " + SIZE), head);
        meanwhile.run();
        byte[] got = in.readNBytes(SIZE);
        assertEquals(SIZE, got.length, "the whole body, not cut when the connection closed");
        assertArrayEquals(BODY, got);
        assertEquals(-1, in.read(), "then the end of the stream");
    }

    @ParameterizedTest(name = "spooled: {0}")
    @ValueSource(booleans = {false, true})
    void aClientThatClosesItsSideAfterTheRequestGetsTheWholeAnswer(boolean spooled) throws Exception {
        serve(spooled);
        try (Socket s = ask(true)) {
            readWhole(s, () -> sleep(300));
        }
    }

    /**
     * The answer is ready only once the server has seen the client close its side: the
     * connection then waits for nothing but the socket's room (its input is shut), so the first
     * time the socket is full is the first time the channel asks to hear of room again. On the
     * native transport that request failed (the connection had left epoll's set when it stopped
     * waiting for anything) and the answer was cut at what the socket had taken, with a clean end
     * of stream: this was the load-dependent cut of the test above, made certain.
     */
    @ParameterizedTest(name = "spooled: {0}")
    @ValueSource(booleans = {false, true})
    void anAnswerReadyOnlyAfterTheClientClosedItsSideArrivesWhole(boolean spooled) throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        serve(spooled, release);
        try (Socket s = ask(true)) {
            Channel c = awaitOneConnection();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!c.eventLoop().submit(() -> ((DuplexChannel) c).isInputShutdown()).get(10, TimeUnit.SECONDS)) {
                assertTrue(System.nanoTime() < deadline, "the server never saw the client close its side");
                Thread.sleep(1); // the client's end of input is on its way to the server
            }
            release.complete(null);
            readWhole(s, () -> sleep(300));
        }
    }

    private Channel awaitOneConnection() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Channel> open;
        while ((open = server.openConnections()).isEmpty() || !open.get(0).isRegistered()) {
            // the server counts a connection as it accepts it, before it is registered with its event loop
            assertTrue(System.nanoTime() < deadline, "no connection accepted and registered");
            Thread.onSpinWait();
        }
        return open.get(0);
    }

    @ParameterizedTest(name = "spooled: {0}")
    @ValueSource(booleans = {false, true})
    void anAnswerUnderWayWhenTheServerStopsArrivesWhole(boolean spooled) throws Exception {
        serve(spooled);
        try (Socket s = ask(false)) {
            CompletableFuture<Void> stopping = new CompletableFuture<>();
            readWhole(s, () -> {
                sleep(200);
                CompletableFuture.runAsync(server::close).whenComplete((v, e) -> stopping.complete(null));
                sleep(300);
            });
            stopping.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A spooled answer whose write fails half-way (here its file was cut short under it: Netty's
     * sendfile finds fewer bytes than the region counts, fails the write and closes the
     * connection) ends in a clean end of stream at the client, the way a whole answer would, so
     * the server says why: at debug, naming the request and the cause. It was silent before.
     */
    @Test
    void aSpooledAnswerCutShortByAFailedWriteIsLogged() throws Exception {
        serve(true);
        Path file;
        try (var files = Files.list(spool.directory())) {
            file = files.filter(f -> f.getFileName().toString().startsWith("body-")).findFirst().orElseThrow();
        }
        int kept = 1024 * 1024;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(kept);
        }
        Logger exchange = (Logger) LoggerFactory.getLogger(ExchangeHandler.class);
        Level before = exchange.getLevel();
        exchange.setLevel(Level.DEBUG);
        try (CapturedLogs logs = CapturedLogs.of(ExchangeHandler.class); Socket s = ask(false)) {
            InputStream in = s.getInputStream();
            assertTrue(SocketReads.readHead(in).startsWith("HTTP/1.1 200"));
            // Netty checks the file when the socket is full: the write fails at the first full socket.
            // at most what the file still holds (all of it when the socket took it before filling up)
            int got = in.readNBytes(SIZE).length;
            assertTrue(got <= kept, "cut short, then the end of the stream: " + got);
            ILoggingEvent e = logs.awaitMessage("not sent whole", Duration.ofSeconds(10));
            assertEquals(Level.DEBUG, e.getLevel());
            assertTrue(e.getFormattedMessage().contains("GET /m"), e.getFormattedMessage());
            assertTrue(e.getThrowableProxy() instanceof ThrowableProxy t && t.getThrowable() instanceof IOException,
                    "the write's failure: " + e.getThrowableProxy());
        } finally {
            exchange.setLevel(before);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
