package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.config.Address;
import org.rproxy.core.metrics.AdminServer;

/**
 * A flood of connections that never send anything: the node stays reachable. Connections past
 * the limit are answered 503 at once and closed, the process's descriptors stay bounded, new
 * clients are answered, and the admin listener's {@code /readyz} answers throughout.
 */
class ConnectionFloodTest {

    private static final int LIMIT = 50;
    private static final int IDLE_SOCKETS = 300;
    private static final int TIMEOUT_MS = 10_000;
    private static final Path FDS = Path.of("/proc/self/fd");

    private final List<Socket> sockets = new ArrayList<>();
    private AltoHttpServer server;
    private AdminServer admin;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(server.localAddress(), TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A condition that holds once its value is not null. */
    @FunctionalInterface
    private interface Probe<T> {
        T value() throws IOException;
    }

    /** The first non-null value of {@code probe}, polled for up to 30 s (a loaded machine); fails the test if none. */
    private static <T> T await(Probe<T> probe) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (T v = probe.value(); ; v = probe.value()) {
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** Reads one answer's head and body, then expects the end of the stream. */
    private static String refusal(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String head = SocketReads.readHead(in);
        int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        assertEquals(-1, in.read(), "the refused connection is closed after the answer");
        return head + body;
    }

    @Test
    void silentFloodIsRefusedAtOnceAndTheNodeStaysReachable() throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd");
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withMaxConnections(LIMIT),
                Fixtures.serving(Fixtures.identityOnly()));
        admin = AdminServer.start(new Address("127.0.0.1", 0), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> null);
        long before = openDescriptors();

        for (int i = 0; i < IDLE_SOCKETS; i++) {
            connect();
        }
        // Past the limit, every silent connection is answered without having asked anything,
        // well before the idle timeout (60 s) that used to be the only way out. Which ones are
        // past it depends on the order the event loops take them in: those that get an answer.
        List<Socket> answered = await(() -> {
            List<Socket> withData = new ArrayList<>();
            for (Socket s : sockets) {
                if (s.getInputStream().available() > 0) {
                    withData.add(s);
                }
            }
            return withData.size() == IDLE_SOCKETS - LIMIT ? withData : null;
        });
        int refused = 0;
        for (Socket s : answered) {
            String answer = refusal(s);
            assertTrue(answer.startsWith("HTTP/1.1 503 "), answer);
            assertTrue(answer.contains("retry-after: 1"), answer);
            assertTrue(answer.endsWith("too many connections, retry later\n"), answer);
            assertTrue(answer.contains("content-type: text/plain; charset=utf-8"), answer);
            refused++;
        }
        assertEquals(IDLE_SOCKETS - LIMIT, refused);

        // The server's side of every refused connection is closed: what stays open is our own
        // client sockets plus the ones being served.
        long bound = before + IDLE_SOCKETS + LIMIT + 40;
        await(() -> openDescriptors() <= bound ? Boolean.TRUE : null);

        // A newcomer asking is told to come back; the admin listener answers while the port is full.
        Socket late = connect();
        late.getOutputStream().write("GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(refusal(late).startsWith("HTTP/1.1 503 "));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + "/readyz"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());

        // The connections being served are served.
        Socket served = sockets.stream().filter(s -> !answered.contains(s)).findFirst().orElseThrow();
        served.getOutputStream().write("GET /networkmap HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(SocketReads.readHead(served.getInputStream()).startsWith("HTTP/1.1 200 "));
    }
}
