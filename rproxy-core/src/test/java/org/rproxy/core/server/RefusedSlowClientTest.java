package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A client refused at the connection limit while it uploads a request body slowly (a big query on
 * a slow link) still reads its 503: the refused connection reads and drops what comes for as long
 * as bytes keep coming ({@link LingeringClose}'s bounds, counted from the answer), where it used to
 * close 2 s after accept whatever came, so the client's next write met a reset and it never read
 * the answer. And a refused client that sends nothing more and never reads or closes is still
 * closed, within the linger's silence bound. Real sockets; the one ordinary place is held by an
 * idle connection of the test's own. Each case waits out a slow upload, so they run at once.
 */
@Execution(ExecutionMode.CONCURRENT)
class RefusedSlowClientTest {

    /** How long each slow client takes over its body: longer than the 2 s a refused connection used to live, and than the silence bound. */
    private static final long UPLOAD_MILLIS = 2 * LingeringClose.SILENCE_MILLIS + 1_000;
    private static final long BEAT_MILLIS = 100;
    private static final int PIECE = 64;
    private static final int TIMEOUT_MS = 30_000;

    private AltoHttpServer server;
    private Socket served;

    @BeforeEach
    void start() throws IOException {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(1),
                Fixtures.serving(Fixtures.identityOnly()));
        served = connect();
        served.getOutputStream().write("GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("200", SocketReads.readAnswer(served).status(), "the one place is taken");
    }

    @AfterEach
    void stop() throws IOException {
        served.close();
        server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(TIMEOUT_MS);
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), TIMEOUT_MS);
        return s;
    }

    private static long bodyLength() {
        return UPLOAD_MILLIS / BEAT_MILLIS * PIECE;
    }

    /** A blocking client: writes its head and its whole body, a piece per beat, and only then reads. */
    @Test
    void aRawClientUploadingSlowlyReadsIts503AfterItsBody() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /endpointprop/lookup HTTP/1.1\r\nHost: a\r\nContent-Type: application/alto-endpointpropparams+json\r\n"
                    + "Content-Length: " + bodyLength() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] piece = new byte[PIECE];
            for (long sent = 0; sent < bodyLength(); sent += PIECE) {
                out.write(piece);
                out.flush();
                Thread.sleep(BEAT_MILLIS); // the slow link, well inside the silence bound
            }
            SocketReads.Answer answer = SocketReads.readAnswer(s);
            assertEquals("503", answer.status());
            assertEquals("1", answer.retryAfter());
            assertEquals("too many connections, retry later\n", answer.body());
            assertEquals(-1, s.getInputStream().read(), "half-closed after the answer");
        }
        awaitOnlyTheServedOpen();
    }

    /** The JDK's client, its body published a piece per beat, gets the 503 rather than an IOException. */
    @Test
    void theJdkClientPostingSlowlyGetsIts503() throws Exception {
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofMillis(TIMEOUT_MS)).build();
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort()
                            + "/endpointprop/lookup"))
                    .timeout(Duration.ofMillis(TIMEOUT_MS))
                    .header("Content-Type", "application/alto-endpointpropparams+json")
                    .POST(HttpRequest.BodyPublishers.fromPublisher(new SlowBody(beats), bodyLength()))
                    .build();
            HttpResponse<String> answer = http.send(post, HttpResponse.BodyHandlers.ofString());
            assertEquals(503, answer.statusCode(), answer.body());
            assertEquals("too many connections, retry later\n", answer.body());
        } finally {
            beats.shutdownNow();
        }
        awaitOnlyTheServedOpen();
    }

    /** A refused client that sends its request and then neither reads, sends nor closes is closed after the linger's silence. */
    @Test
    void aRefusedClientThatNeverReadsNorClosesIsClosed() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            awaitOnlyTheServedOpen();
            assertEquals("503", SocketReads.readAnswer(s).status(), "its answer waited for it in its socket");
            assertEquals(-1, s.getInputStream().read());
        }
    }

    /** Only the test's served connection stays open, within a generous deadline. */
    private void awaitOnlyTheServedOpen() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (server.openConnections().size() > 1) {
            assertTrue(System.nanoTime() < deadline, "refused connections still open: " + server.openConnections());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** A request body of {@link #bodyLength()} bytes, a piece of {@link #PIECE} every {@link #BEAT_MILLIS}, as its subscriber asks. */
    private static final class SlowBody implements Flow.Publisher<ByteBuffer> {

        private final ScheduledExecutorService beats;

        SlowBody(ScheduledExecutorService beats) {
            this.beats = beats;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            AtomicLong left = new AtomicLong(bodyLength());
            AtomicLong wanted = new AtomicLong();
            AtomicBoolean cancelled = new AtomicBoolean();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    wanted.addAndGet(n);
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
            beats.scheduleAtFixedRate(() -> {
                if (cancelled.get() || left.get() <= 0 || wanted.get() <= 0) {
                    return;
                }
                wanted.decrementAndGet();
                subscriber.onNext(ByteBuffer.wrap(new byte[PIECE]));
                if (left.addAndGet(-PIECE) <= 0) {
                    subscriber.onComplete();
                }
            }, 0, BEAT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
