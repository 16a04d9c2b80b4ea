package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.testing.Eventually;
import org.rproxy.pull.PullProxy;

/**
 * A query whose client has left before its turn on the query pool is not computed. A pull proxy
 * answering queries from its held maps is sent the heaviest queries it takes, three per query
 * thread, then a crowd of lighter ones, each distinct (no answer shared), over raw sockets; once
 * the first heavy one is answered, the crowd, sent long before, is queued behind the rest, and
 * its clients leave: they reset their connections (a FIN alone is a half-close, whose requests
 * are still answered). A last query, once answered, shows the queue has been worked through; the
 * proxy's count of queries computed here ({@code rproxy_queries_total{answered="local"}}) has
 * then grown by few of the crowd, and the others are counted as skipped
 * ({@code rproxy_queries_skipped_total}). Before, every abandoned query was computed (30 of 30),
 * in front of the queries of clients still waiting.
 */
class AbandonedQueriesIT {
    /** Queries whose clients leave. */
    static final int CROWD = 30;
    /** Sources × destinations of each query: heavy enough that the crowd is read long before it is worked through. */
    static final int SOURCES = 150;
    static final int DESTINATIONS = 400;
    /** The proxy's query threads ({@code QueryPool.perCore}): it runs in this JVM. */
    static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /** The heaviest queries the proxy takes, sent first: three rounds of its threads. */
    static final int BLOCKERS = 3 * THREADS;

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static PullProxy proxy;
    static int serial;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start(dir);
        proxy = PullProxy.start(Proxies.config("edge", origin.base(), origin.publicKey), Clock.systemUTC());
        LocalQueriesIT.holdTheMaps(proxy);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void queriesOfConnectionsResetAreSkipped() throws Exception {
        List<Socket> crowd = new ArrayList<>();
        double computed = LocalQueriesIT.local(proxy);
        double skipped = skipped();
        List<Socket> blockers = occupyTheThreads();
        try {
            for (int i = 0; i < CROWD; i++) {
                crowd.add(post(heavy(SOURCES, DESTINATIONS)));
            }
            // queued once a thread is free: the crowd, sent long before, is read by then
            assertEquals("HTTP/1.1 200", statusLine(blockers.get(0).getInputStream()).substring(0, 12));
        } finally {
            for (Socket s : crowd) {
                s.setSoLinger(true, 0); // a reset: the node sees the connection end (a FIN is a half-close, still answered)
                s.close();
            }
        }
        blockers.remove(0).close();
        workedThrough(blockers, computed, skipped);
    }

    /**
     * {@link #BLOCKERS} queries of the most pairs the proxy takes, each on a connection of its
     * own, sent first: the crowd sent next waits behind them, read and queued long before they
     * are computed.
     */
    private static List<Socket> occupyTheThreads() throws IOException {
        List<Socket> blockers = new ArrayList<>();
        for (int i = 0; i < BLOCKERS; i++) {
            blockers.add(post(heavy(500, 500)));
        }
        return blockers;
    }

    /**
     * Waits for the answers of the {@code blockers} not yet answered, then asks a last query until
     * it is answered (the node may shed it while the crowd is queued), which it is only once the
     * queue in front of it has been taken; then checks what the crowd cost.
     */
    private static void workedThrough(List<Socket> blockers, double computedBefore, double skippedBefore) throws Exception {
        for (Socket b : blockers) {
            try (b) {
                assertEquals("HTTP/1.1 200", statusLine(b.getInputStream()).substring(0, 12));
            }
        }
        LocalQueriesIT.Query last = heavy(SOURCES, DESTINATIONS);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        int status;
        int tries = 0;
        do {
            HttpResponse<byte[]> r = LocalQueriesIT.send(proxy.baseUri(), last);
            status = r.statusCode();
            tries++;
            assertTrue(status == 200 || status == 503, () -> "last query: " + r.statusCode());
        } while (status != 200 && System.nanoTime() < deadline && tries < 1000);
        assertEquals(200, status, "the last query, after " + tries + " tries");
        // the blockers, the last query, and those of the crowd the threads had begun when their clients left
        double computed = LocalQueriesIT.local(proxy) - computedBefore - BLOCKERS - 1;
        System.out.println("abandoned queries computed: " + computed + " of " + CROWD + ", skipped: "
                + (skipped() - skippedBefore) + ", last query answered after " + tries + " tries");
        assertTrue(computed <= CROWD / 4, "abandoned queries computed: " + computed + " of " + CROWD);
        Eventually.await("the abandoned queries counted as skipped", Duration.ofSeconds(30),
                () -> skipped() - skippedBefore >= CROWD / 2);
    }

    /** A distinct endpoint-cost query of {@code sources} × {@code destinations} pairs. */
    private static LocalQueriesIT.Query heavy(int sources, int destinations) {
        int n = serial++;
        String[] endpoints = new String[sources + destinations];
        for (int i = 0; i < endpoints.length; i++) {
            endpoints[i] = "ipv4:10." + (n & 255) + "." + (i >> 8) + "." + (i & 255);
        }
        StringBuilder b = new StringBuilder("{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},"
                + "\"endpoints\":{\"srcs\":[");
        for (int i = 0; i < endpoints.length; i++) {
            b.append(i == 0 || i == sources ? "\"" : ",\"").append(endpoints[i]).append('"');
            if (i == sources - 1) {
                b.append("],\"dsts\":[");
            }
        }
        return LocalQueriesIT.Query.post("/endpointcost", LocalQueriesIT.EC, b.append("]}}").toString());
    }

    /** Sends {@code q} on a new connection, reading nothing. */
    private static Socket post(LocalQueriesIT.Query q) throws IOException {
        URI base = URI.create(proxy.baseUri());
        Socket s = new Socket("127.0.0.1", base.getPort());
        s.setSoTimeout(60_000);
        byte[] body = q.body().getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + q.target() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + q.type()
                + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return s;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    private static double skipped() {
        return proxy.registry().find("rproxy.queries.skipped").functionCounters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
