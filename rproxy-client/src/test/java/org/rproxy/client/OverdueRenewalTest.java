package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.MutableClock;

/**
 * A source whose update stream sends heartbeats but no renewals must not keep the client on maps
 * that expire: once a map held is within a quarter of its validity of expiry, the stream is left,
 * the source cools down, and the origin's stream renews the maps before they expire; while a
 * proxy's stream that passes the origin's renewals on (every half validity) is never left. A real
 * streaming origin on loopback with the shortest validity it takes (10 s), and sources on real
 * sockets. The origin re-signs on its own timer, in real time: the proxy's stream waits for two
 * renewals (10 s); the heartbeats-only source is left once the clock the origin and the client
 * share is moved past the maps' due point, and the origin's renewal made 5 s after its start
 * renews them. A client whose clock is over a quarter validity ahead leaves proxies' streams, but
 * stays on the origin's. The cases mostly wait and share nothing, so they run at once.
 */
@Execution(ExecutionMode.CONCURRENT)
class OverdueRenewalTest {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(40);

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @Test
    void aSourceThatSendsOnlyHeartbeatsIsLeftBeforeTheMapsExpireAndCoolsDown() throws Exception {
        HeartbeatsOnly hb = started.add(new HeartbeatsOnly());
        MutableClock clock = MutableClock.now();
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(hb.base()), Duration.ofSeconds(10), clock));
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(Duration.ofSeconds(2)).withClock(clock)));
        Instant fetchedExpiry = c.refreshMaps().validUntil();
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(hb.base() + "updates"), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);

        // 2 s of its 10 s left: past the due point (2.5 s left), before expiry
        clock.advance(Duration.between(clock.instant(), fetchedExpiry.minusSeconds(2)));
        ClientException.InvalidResponse why = heard.await(ClientException.InvalidResponse.class);
        assertEquals(URI.create(hb.base() + "updates"), why.uri(), why.getMessage());
        assertTrue(why.reason().contains("no renewal of /networkmap/default-network-map")
                || why.reason().contains("no renewal of /costmap/routingcost-map"), why.getMessage());
        assertTrue(why.reason().contains("(2 s left at this client's clock)"), why.getMessage());
        assertTrue(c.health().coolingDown(hb.uri()), "the source that let the maps run late cools down");
        assertTrue(hb.subscriptions.get() >= 1);
        assertEquals(Optional.of(origin.uri() + "/updates"), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);

        // the origin's stream sends its newest signatures at once, and its renewal (at the shared
        // clock's time) when its timer makes it: the maps are renewed before they expire
        long end = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < end && !c.answers().validUntil().isAfter(fetchedExpiry)) {
            TimeUnit.MILLISECONDS.sleep(50); // polls a value no listener call announces (a renewal of the same bytes)
        }
        assertTrue(c.answers().validUntil().isAfter(fetchedExpiry), () -> "renewed; " + heard);
        assertTrue(c.answers().isCurrent(), () -> "current: valid until " + c.answers().validUntil() + "; " + heard);
    }

    @Test
    void aProxyStreamThatPassesTheRenewalsOnIsNeverLeft() throws Exception {
        HoldingRelay relay = started.add(new HoldingRelay());
        relay.release(); // a plain relay: the origin's stream, renewals and all, through another source
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(relay.base()), Duration.ofSeconds(10)));
        relay.relayTo(origin.uri().getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(Duration.ofSeconds(2))));
        Instant fetchedExpiry = c.refreshMaps().validUntil();
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(relay.base() + "updates"), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);

        // two renewals (every 5 s) on the proxy's stream: the client passes the due points of both
        // copies it held before them, and stays
        Instant twoRenewalsOn = fetchedExpiry.plus(Duration.ofSeconds(10));
        long end = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < end && c.answers().validUntil().isBefore(twoRenewalsOn)) {
            TimeUnit.MILLISECONDS.sleep(50); // polls a value no listener call announces (a renewal of the same bytes)
        }
        assertFalse(c.answers().validUntil().isBefore(twoRenewalsOn), () -> "renewed twice; " + heard);
        assertEquals(List.of(), heard.invalid(), heard::toString);
        assertEquals(List.of(), List.copyOf(heard.following), "still on the proxy's stream; " + heard);
        assertFalse(c.health().coolingDown(relay.uri()));
    }

    @Test
    void aClockAheadByMoreThanAQuarterValidityLeavesTheProxysStreamButStaysOnTheOrigins() throws Exception {
        HoldingRelay relay = started.add(new HoldingRelay());
        relay.release();
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(relay.base()), Duration.ofHours(1)));
        relay.relayTo(origin.uri().getPort());
        MutableClock clock = MutableClock.now();
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(Duration.ofSeconds(2)).withClock(clock)));
        c.refreshMaps();
        clock.advance(Duration.ofMinutes(50)); // every copy there is has 10 min of its 1 h left: under a quarter
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        assertEquals(Optional.of(relay.base() + "updates"), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);
        assertEquals(URI.create(relay.base() + "updates"), heard.await(ClientException.InvalidResponse.class).uri());
        assertTrue(c.health().coolingDown(relay.uri()));
        assertEquals(Optional.of(origin.uri() + "/updates"), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);

        // The origin's stream sends nothing newer than a poll of the origin would: it is not left for
        // that. Nothing announces a stream kept, so give the watch twice the read timeout to leave it.
        TimeUnit.SECONDS.sleep(4);
        assertEquals(List.of(), List.copyOf(heard.following), "still on the origin's stream; " + heard);
        assertEquals(List.of(), heard.invalid().subList(1, heard.invalid().size()), heard::toString);
        assertTrue(c.answers().isCurrent());
    }

    /**
     * A source on a real socket that answers every subscription ({@code POST}) with an event
     * stream of heartbeats only, every 250 ms, and every other request 404.
     */
    private static final class HeartbeatsOnly implements AutoCloseable {
        final AtomicInteger subscriptions = new AtomicInteger();
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        HeartbeatsOnly() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "heartbeats-only");
            t.setDaemon(true);
            t.start();
        }

        String base() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/";
        }

        URI uri() {
            return URI.create(base());
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "heartbeats-only-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    // closed
                }
            }
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                StringBuilder head = new StringBuilder();
                for (int b; head.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0; ) {
                    head.append((char) b);
                }
                if (!head.toString().startsWith("POST ")) {
                    out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                subscriptions.incrementAndGet();
                out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                while (true) {
                    out.write(":\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    TimeUnit.MILLISECONDS.sleep(250); // its pace: a heartbeat every 250 ms, well within the read timeout
                }
            } catch (IOException | InterruptedException e) {
                // the client left, or the test ended
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
