package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.harness.LocalQueriesIT.endpointCost;
import static org.rproxy.harness.LocalQueriesIT.send;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.harness.LocalQueriesIT.Query;
import org.rproxy.pull.PullProxy;

/**
 * What a cache in front of a pull proxy is told about the freshness of query answers, over real
 * sockets in front of a real file origin (max-age 60 s, signatures valid an hour): an answer
 * computed from held maps is as old as the oldest map it came from, so a cache keeps it fresh no
 * longer than that map (RFC 9111 §4.2.3); an answer the proxy passes on keeps the
 * {@code Cache-Control} the origin gave it, its {@code Age} counting from the origin's answer.
 * The proxies' feeds run on a clock the test moves, so the maps they hold are of known age (their
 * front ends count the {@code Cache-Control} windows on the system clock, which it does not move).
 */
class AnswerFreshnessIT {
    static final String FILTER = "application/alto-costmapfilter+json";
    /** Queries computed from the held maps, GET and POST, of both dialects. */
    static final List<Query> COMPUTED = List.of(
            Query.get("/cost/row?srcpid=PID2&type=hopcount"), // computed while the maps were read: kept since
            Query.get("/cost/row?srcpid=PID1"),
            Query.get("/prop/pid/lookup?endpoint=ipv4:128.36.1.10"),
            endpointCost("numerical", "routingcost", "ipv4:128.36.1.10", "ipv4:130.132.3.7"),
            Query.post("/costmap/default-network-map/filtered", FILTER,
                    "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":[\"PID1\"],\"dsts\":[]}}"));
    /** Queries a proxy with {@code queries: upstream} passes on, GET and POST. */
    static final List<Query> FORWARDED = List.of(
            Query.get("/cost/row?srcpid=PID3"),
            endpointCost("numerical", "routingcost", "ipv4:128.36.1.10", "ipv4:130.132.3.7"),
            Query.post("/costmap/default-network-map/filtered", FILTER,
                    "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"hopcount\"},\"pids\":{\"srcs\":[\"PID2\"],\"dsts\":[]}}"));

    @TempDir
    static Path dir;
    static TestOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start(dir);
    }

    @AfterAll
    static void stop() {
        if (origin != null) {
            origin.close();
        }
    }

    /**
     * The maps are fetched, then the proxy's clock moves 40 s on: every answer computed from them
     * goes out 40 s old with the origin's max-age, so a cache honouring {@code Age} keeps it fresh
     * 20 s more, as the maps themselves; one kept for its version counts on by the second; and its
     * windows, counted from now, still end before the maps' signatures do.
     */
    @Test
    void aComputedAnswerIsAsOldAsTheMapsItCameFrom() throws Exception {
        MutableClock clock = MutableClock.now();
        try (PullProxy proxy = PullProxy.start(Proxies.heldClockConfig("edge", origin.base(), origin.publicKey), clock)) {
            LocalQueriesIT.holdTheMaps(proxy);
            clock.advance(Duration.ofSeconds(40));
            for (Query q : COMPUTED) {
                double before = LocalQueriesIT.local(proxy);
                HttpResponse<byte[]> r = send(proxy.baseUri(), q);
                String what = q + " -> " + r.headers().map() + " " + new String(r.body(), StandardCharsets.UTF_8);
                assertEquals(200, r.statusCode(), what);
                assertEquals(before + 1, LocalQueriesIT.local(proxy), () -> "computed here: " + what);
                long oldest = oldestSource(proxy, r);
                assertTrue(oldest >= 40, what);
                assertEquals(String.valueOf(oldest), r.headers().firstValue("age").orElse(null), what);
                Map<String, Long> cc = directives(r);
                assertEquals(60L, cc.get("max-age"), what);
                assertEquals(60L, cc.get("stale-while-revalidate"), what);
                // the windows end a second before the maps' signatures (an hour long, made before
                // now) counted from now, not from when the answer was as old as its Age (the
                // front end counts on the system clock, which the test does not move)
                long left = cc.get("max-age") + cc.get("stale-if-error");
                assertTrue(left <= 3600 - 1 && left >= 3600 - 1 - 600, what);
            }
            clock.advance(Duration.ofSeconds(5));
            HttpResponse<byte[]> kept = send(proxy.baseUri(), COMPUTED.get(1));
            long oldest = oldestSource(proxy, kept);
            assertTrue(oldest >= 45, () -> "kept: " + kept.headers().map());
            assertEquals(String.valueOf(oldest), kept.headers().firstValue("age").orElse(null),
                    () -> "kept: " + kept.headers().map());
        }
    }

    /**
     * {@code queries: upstream}: each answer passed on goes out with the origin's directives
     * ({@code max-age}, {@code stale-while-revalidate}, and {@code stale-if-error} within the
     * seconds between the two requests), and 20 s later from the proxy's store with
     * {@code Age: 20} and the same directives: its windows end where the origin's did, counted
     * on the front end's clock (the system's, which the test does not move).
     */
    @Test
    void anAnswerPassedOnKeepsTheDirectivesTheOriginGaveIt() throws Exception {
        // The proxy stamps what it holds on this clock, which stands still until the test moves
        // it, while the front end counts stale-if-error down on the system's: the proxy's answer
        // ends its windows at the clock's instant plus what the origin announced when the proxy
        // asked it, so it is shorter than the origin's answer to the test by the system seconds
        // from the clock's making to the proxy's answer, plus those from the test's request to
        // the origin to the proxy's own (before the proxy answered). Both are measured, up to
        // each answer checked: 4 s shorter with 3 allowed at load 9 when counted from each
        // query's own start; at load 30, 4 with 3 allowed in the second loop, 20 s later on the
        // proxy's clock, when it was allowed only the first loop's seconds.
        long clockMade = System.nanoTime();
        MutableClock clock = MutableClock.now();
        ProxyConfig config = Proxies.heldClockConfig("edge", origin.base(), origin.publicKey)
                .withQueries(ProxyConfig.Queries.UPSTREAM);
        try (PullProxy proxy = PullProxy.start(config, clock)) {
            Map<Query, Map<String, Long>> fromOrigin = new HashMap<>();
            Map<Query, Long> askedUntilAnswered = new HashMap<>();
            for (Query q : FORWARDED) {
                long asked = System.nanoTime();
                HttpResponse<byte[]> o = send(origin.base(), q);
                HttpResponse<byte[]> p = send(proxy.baseUri(), q);
                long answered = System.nanoTime();
                askedUntilAnswered.put(q, answered - asked);
                long slack = slack(answered - clockMade + answered - asked);
                String what = q + ": origin " + o.headers().map() + ", proxy " + p.headers().map();
                assertEquals(200, p.statusCode(), what);
                assertEquals(o.headers().firstValue("etag"), p.headers().firstValue("etag"), what);
                assertEquals("0", p.headers().firstValue("age").orElse(null), what);
                assertSameDirectives(directives(o), directives(p), 0, slack, what);
                fromOrigin.put(q, directives(o));
            }
            assertEquals(FORWARDED.size(), LocalQueriesIT.upstream(proxy));
            clock.advance(Duration.ofSeconds(20));
            for (Query q : FORWARDED) {
                HttpResponse<byte[]> p = send(proxy.baseUri(), q);
                long slack = slack(System.nanoTime() - clockMade + askedUntilAnswered.get(q));
                String what = q + ": origin " + fromOrigin.get(q) + ", proxy " + p.headers().map();
                assertEquals("20", p.headers().firstValue("age").orElse(null), what);
                assertSameDirectives(fromOrigin.get(q), directives(p), 0, slack, what);
            }
        }
    }

    /**
     * {@code queries: local}, the first query, as the proxy starts: passed on if the maps are not
     * held yet, computed here if they already are (the proxy fetches them as it starts, and which
     * comes first is a race this test does not control); either way it goes out with the origin's
     * directives. That the passed-on path keeps them is shown deterministically above
     * ({@code queries: upstream}).
     */
    @Test
    void aFirstQueryKeepsTheOriginsDirectivesWhetherPassedOnOrComputedHere() throws Exception {
        try (PullProxy proxy = Proxies.start("edge", origin.base(), origin.publicKey, Clock.systemUTC())) {
            Query q = endpointCost("ordinal", "hopcount", "ipv4:128.36.1.10", "ipv4:130.132.3.7");
            long start = System.nanoTime();
            HttpResponse<byte[]> o = send(origin.base(), q);
            HttpResponse<byte[]> p = send(proxy.baseUri(), q);
            long slack = slackSince(start);
            String what = q + ": origin " + o.headers().map() + ", proxy " + p.headers().map();
            assertEquals(200, p.statusCode(), what);
            assertEquals(o.headers().firstValue("etag"), p.headers().firstValue("etag"), what);
            assertEquals(1.0, LocalQueriesIT.upstream(proxy) + LocalQueriesIT.local(proxy),
                    "passed on or computed here, once: " + what);
            long age = Long.parseLong(p.headers().firstValue("age").orElse("-1"));
            assertTrue(age >= 0 && age <= 2, what);
            assertSameDirectives(directives(o), directives(p), age, slack, what);
        }
    }

    /**
     * Maps read only through queries are revalidated as documents asked for are, so a computed
     * answer never goes out older than its {@code max-age} and stale-while-revalidate allow
     * (a cache in front would take it as stale on arrival: Varnish, hit-for-miss). An origin
     * with a max-age of {@value #SHORT} s (stale-while-revalidate as long), real clocks, and a
     * proxy whose refresher makes no pass after its first (so only requests revalidate): the
     * maps are held, then left idle past max-age and stale-while-revalidate: the next answer
     * waits for the revalidation of its maps and goes out younger than max-age. Then idle past
     * max-age only: the answer goes out at once, stale within stale-while-revalidate, and its
     * maps are revalidated behind it, so a later answer is fresh again. Before, both went out
     * with the maps' age, and the maps were never revalidated (a GET answer kept for its version
     * did not even count as a use of them).
     */
    @Test
    void answersFromMapsIdlePastMaxAgeRevalidateThemAsDocumentsDo(@TempDir Path tmp) throws Exception {
        List<Query> queries = List.of(COMPUTED.get(1), COMPUTED.get(4)); // a GET kept for its version, a POST
        ProxyConfig config;
        try (TestOrigin shortLived = TestOrigin.start(tmp, Duration.ofMinutes(10), Duration.ofSeconds(SHORT))) {
            config = Proxies.config("edge", shortLived.base(), shortLived.publicKey).withRefresh(new RefreshConfig(
                    Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                    Duration.ofHours(1)));
            try (PullProxy proxy = PullProxy.start(config, Clock.systemUTC())) {
                LocalQueriesIT.holdTheMaps(proxy);
                // past stale-while-revalidate: revalidated in front of the answer
                idle(proxy, queries, 2 * SHORT + 1);
                for (Query q : queries) {
                    double revalidations = revalidations(proxy);
                    HttpResponse<byte[]> r = send(proxy.baseUri(), q);
                    String what = q + " -> " + r.headers().map();
                    assertEquals(200, r.statusCode(), what);
                    assertTrue(age(r) < SHORT, () -> "answered from revalidated maps: " + what);
                    assertTrue(revalidations(proxy) > revalidations, () -> "the maps were revalidated: " + what);
                }
                // past max-age, within stale-while-revalidate: served at once, revalidated behind
                idle(proxy, queries, SHORT + 1);
                for (Query q : queries) {
                    double revalidations = revalidations(proxy);
                    HttpResponse<byte[]> r = send(proxy.baseUri(), q);
                    String what = q + " -> " + r.headers().map();
                    assertEquals(200, r.statusCode(), what);
                    assertTrue(age(r) >= SHORT && age(r) < 2 * SHORT, () -> "served stale at once: " + what);
                    Map<String, Long> cc = directives(r);
                    assertEquals(SHORT, cc.get("max-age"), what);
                    assertEquals(SHORT, cc.get("stale-while-revalidate"), what);
                    assertTrue(Proxies.await(() -> revalidations(proxy) > revalidations
                            && age(send(proxy.baseUri(), q)) < SHORT, 10), () -> "revalidated behind it: " + what);
                }
            }
        }
    }

    /**
     * The {@code Age} of the oldest map {@code answer} names in {@code Alto-Derived-From}, as the
     * proxy serves it now: the test's clock moved 40 s (45 s) since the maps were held, and a map
     * fetched with a response delay of a second or more came in that much old already (RFC 9111
     * §4.2.3's corrected age: 'Age: 41' once at load ~30), so the answer is as old as that map,
     * not 40 s on the dot.
     */
    private static long oldestSource(PullProxy proxy, HttpResponse<byte[]> answer) {
        Matcher m = Pattern.compile("path=\"([^\"]+)\"").matcher(LocalQueriesIT.derivedFrom(answer));
        long oldest = -1;
        while (m.find()) {
            oldest = Math.max(oldest, age(send(proxy.baseUri(), Query.get(m.group(1)))));
        }
        return oldest;
    }

    /** The max-age (and stale-while-revalidate) of the origin whose maps are left idle, seconds. */
    static final long SHORT = 6;

    /**
     * Waits until the maps {@code queries} are answered from have been idle {@code seconds}: the
     * origin's max-age is short, and time has to pass (each answer's {@code Age} says how much
     * already has; the youngest decides).
     */
    private static void idle(PullProxy proxy, List<Query> queries, long seconds) throws InterruptedException {
        long youngest = Long.MAX_VALUE;
        for (Query q : queries) {
            youngest = Math.min(youngest, age(send(proxy.baseUri(), q)));
        }
        Thread.sleep(Math.max(0, seconds - youngest) * 1000);
    }

    private static long age(HttpResponse<?> r) {
        return Long.parseLong(r.headers().firstValue("age").orElse("-1"));
    }

    private static double revalidations(PullProxy proxy) {
        return Proxies.count(proxy.registry(), "rproxy.upstream.fetches", "kind", "revalidate");
    }

    /**
     * The proxy's directives are the origin's {@code ago} seconds later: the same max-age and
     * stale-while-revalidate, and the stale-if-error (what is left of the sources' signatures)
     * that much shorter, give or take the seconds between the requests and the spare second.
     */
    /**
     * The proxy's directives are the origin's, {@code stale-if-error} less {@code ago} and less at
     * most {@code slack} seconds: the origin counts it down to its signature's expiry at each
     * answer, and the proxy's answer came from a later one.
     */
    static void assertSameDirectives(Map<String, Long> origin, Map<String, Long> proxy, long ago, long slack,
                                     String what) {
        assertEquals(origin.keySet(), proxy.keySet(), what);
        assertEquals(origin.get("max-age"), proxy.get("max-age"), what);
        assertEquals(origin.get("stale-while-revalidate"), proxy.get("stale-while-revalidate"), what);
        assertTrue(origin.get("stale-while-revalidate") > 0 && origin.get("stale-if-error") > 0, what);
        long sie = origin.get("stale-if-error") - ago - proxy.get("stale-if-error");
        assertTrue(sie >= 0 && sie <= slack, "stale-if-error " + sie + " s shorter than the origin's less " + ago
                + " (at most " + slack + "): " + what);
    }

    /**
     * How many seconds shorter a later answer's {@code stale-if-error} may be: 3 (whole seconds
     * rounded on both sides, a tick of the origin's signing), or the whole seconds since
     * {@code start} and one more when the two requests took longer (a loaded machine).
     */
    static long slackSince(long start) {
        long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        return Math.max(3, elapsed + 2);
    }

    /**
     * How many seconds shorter than the origin's a {@code stale-if-error} may be from a proxy on
     * a {@link MutableClock}, {@code nanos} being the system time it is shorter by (measured by
     * the caller): those whole seconds, one for the clock made on a whole second (up to a second
     * before it was asked for), one for each of the two countdowns rounded to whole seconds (the
     * origin's answers to the test and to the proxy a second apart, the proxy's to the test), and
     * the second to spare the proxy's own countdown takes off again ({@code Representation}
     * cuts every window a second before its end, and a passed-on answer's end is where the
     * origin's cut windows end). Without that last second the bound was missed by one when, well
     * within a second, the origin's two answers fell either side of a second and the proxy's
     * answer came more than a second after its clock's whole second (4 s shorter, 3 allowed).
     */
    static long slack(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos) + 4;
    }

    /** The {@code Cache-Control} directives with their seconds ({@code no-transform}: 0). */
    static Map<String, Long> directives(HttpResponse<?> r) {
        Map<String, Long> out = new HashMap<>();
        for (String d : r.headers().firstValue("cache-control").orElse("").split(",")) {
            String[] kv = d.trim().toLowerCase(Locale.ROOT).split("=", 2);
            if (!kv[0].isEmpty()) {
                out.put(kv[0], kv.length > 1 ? Long.parseLong(kv[1]) : 0L);
            }
        }
        return out;
    }
}
