package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.PushFeedConfig;

/**
 * A pull proxy answers queries from the verified maps it holds, over real
 * sockets in front of a real file origin: each answer is the origin's own, byte for byte with
 * the same {@code Alto-Derived-From} and no {@code Signature}, bad queries get the origin's
 * errors, and once the maps are held distinct endpoint-cost and ranking queries cost the origin
 * nothing. A new version of a map at the origin shows in the answers once the proxy holds it;
 * {@code queries: upstream} forwards everything as before; a push proxy computes from the maps
 * pushed to it.
 */
class LocalQueriesIT {
    static final String EC = "application/alto-endpointcostparams+json";
    static final String EP = "application/alto-endpointpropparams+json";
    static final String XML = "application/xml";
    static final List<String> MAPS = List.of("/networkmap/default-network-map", "/costmap/routingcost-map",
            "/costmap/hopcount-map", "/prop/pid", "/cost/map?type=routingcost", "/cost/map?type=hopcount");

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static String originAdmin;

    /** One request: method, target, content type (POST) and body (POST). */
    record Query(String method, String target, String type, String body) {
        static Query get(String target) {
            return new Query("GET", target, null, null);
        }

        static Query post(String target, String type, String body) {
            return new Query("POST", target, type, body);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start(dir);
        originAdmin = "http://127.0.0.1:" + origin.origin.startAdmin(new Address("127.0.0.1", 0)).getPort();
    }

    @AfterAll
    static void stop() {
        if (origin != null) {
            origin.close();
        }
    }

    static List<Query> everyKind() {
        String lookup = new XmlCodec().renderEndpointLookup(List.of(IpAddress.parseTyped("ipv4:130.132.3.7", "e"),
                IpAddress.parseTyped("ipv6:2001:db8:1::9", "e"))).asUtf8();
        return List.of(
                endpointCost("numerical", "routingcost", "ipv4:128.36.1.10", "ipv4:130.132.3.7", "ipv6:2001:db8:2::1", "ipv4:8.8.8.8"),
                endpointCost("ordinal", "routingcost", "ipv6:2001:db8:1::5", "ipv4:130.132.3.7", "ipv4:9.9.9.9"),
                endpointCost("numerical", "hopcount", "ipv4:132.130.2.2", "ipv6:2001:db8:2::1", "ipv6:2001:4860::8888"),
                endpointCost("ordinal", "hopcount", "ipv4:8.8.4.4", "ipv4:128.36.1.1", "ipv4:130.132.3.9"),
                Query.post("/endpointprop", EP, "{\"properties\":[\"default-network-map.pid\"],"
                        + "\"endpoints\":[\"ipv4:128.36.1.10\",\"ipv6:2001:db8:2::3\",\"ipv4:8.8.8.8\"]}"),
                Query.post("/networkmap/default-network-map/filtered", "application/alto-networkmapfilter+json",
                        "{\"pids\":[\"PID2\",\"PID3\"],\"address-types\":[\"ipv6\"]}"),
                Query.post("/costmap/default-network-map/filtered", "application/alto-costmapfilter+json",
                        "{\"cost-type\":{\"cost-mode\":\"ordinal\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":[\"PID1\"],\"dsts\":[]}}"),
                Query.post("/costmap/default-network-map/filtered", "application/alto-costmapfilter+json",
                        "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"hopcount\"}}"),
                Query.get("/cost/row?srcpid=PID1"),
                Query.get("/cost/row?srcpid=PID3&type=hopcount"),
                Query.get("/prop/pid?pid=PID1&pid=PID2"),
                Query.get("/prop/pid/lookup?endpoint=ipv4:128.36.1.10&endpoint=ipv6:2001:db8:2::1&endpoint=ipv4:1.2.3.4"),
                Query.post("/prop/pid/lookup", XML, lookup),
                ranking("ordinal", "routingcost", "ipv4:128.36.22.1", "ipv4:9.9.9.9", "ipv4:130.132.3.4", "ipv6:2001:db8:1::1"),
                ranking("numerical", "hopcount", "ipv6:2001:db8:2::5", "ipv4:128.36.1.1", "ipv6:2001:db8:1::1"),
                // bad queries: the origin's errors
                endpointCost("numerical", "latency", "ipv4:128.36.1.10", "ipv4:8.8.8.8"),
                Query.post("/endpointcost", EC, "{\"cost-type\":{\"cost-mode\":\"numerical\"},\"endpoints\":{}}"),
                Query.post("/endpointcost", EC, "{\"cost-type\":"),
                Query.post("/endpointcost", "application/json", "{}"),
                Query.post("/endpointprop", EP, "{\"properties\":[\"no-such-map.pid\"],\"endpoints\":[\"ipv4:1.2.3.4\"]}"),
                Query.get("/cost/row?srcpid=PID9"),
                Query.get("/cost/row?srcpid=PID1&type=latency"),
                Query.get("/prop/pid/lookup?endpoint=ipv4:300.1.1.1"),
                Query.post("/cost/m?mode=sideways", XML, "<alto/>"),
                Query.post("/cost/m?mode=ordinal", XML, "<alto><costquery"));
    }

    @Test
    void everyQueryKindIsAnsweredHereExactlyAsTheOriginAnswersIt() throws Exception {
        try (PullProxy proxy = Proxies.start("edge", origin.base(), origin.publicKey, Clock.systemUTC())) {
            holdTheMaps(proxy);
            for (Query q : everyKind()) {
                double before = local(proxy);
                HttpResponse<byte[]> fromOrigin = send(origin.base(), q);
                HttpResponse<byte[]> fromProxy = send(proxy.baseUri(), q);
                assertSameAnswer(fromOrigin, fromProxy, q);
                assertEquals(before + 1, local(proxy), () -> "computed here: " + q);
            }
        }
    }

    /**
     * A proxy's 405 says what the resource accepts, as the origin's does: from the held directory
     * and documents for methods the front end refuses itself, from the upstream's answer for a
     * GET it forwards.
     */
    @Test
    void methodRefusalsSayWhatTheResourceAcceptsAsAtTheOrigin() throws Exception {
        try (PullProxy proxy = Proxies.start("edge", origin.base(), origin.publicKey, Clock.systemUTC())) {
            holdTheMaps(proxy);
            for (String[] c : new String[][] {
                {"PUT", "/networkmap/default-network-map", "GET, HEAD"},
                {"DELETE", "/costmap/default-network-map/filtered", "POST"},
                {"PUT", "/endpointcost", "POST"},
                {"DELETE", "/prop/pid/lookup", "GET, HEAD, POST"},
                {"GET", "/endpointprop", "POST"},
                {"GET", "/networkmap/default-network-map/filtered", "POST"},
            }) {
                for (String base : List.of(origin.base(), proxy.baseUri())) {
                    HttpResponse<byte[]> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + c[1]))
                            .timeout(Duration.ofSeconds(10)).method(c[0], HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    String what = c[0] + " " + base + c[1] + ": " + new String(r.body(), StandardCharsets.UTF_8);
                    assertEquals(405, r.statusCode(), what);
                    assertEquals(c[2], r.headers().firstValue("allow").orElse(null), what);
                }
            }
        }
    }

    @Test
    void aStaticEndpointPropertyIsFetchedThroughUnchanged() throws Exception {
        try (PullProxy proxy = Proxies.start("edge", origin.base(), origin.publicKey, Clock.systemUTC())) {
            holdTheMaps(proxy);
            Query q = Query.post("/endpointprop", EP, "{\"properties\":[\"access\"],\"endpoints\":[\"ipv4:128.36.1.10\"]}");
            double before = upstream(proxy);
            assertSameAnswer(send(origin.base(), q), send(proxy.baseUri(), q), q);
            assertEquals(before + 1, upstream(proxy));
        }
    }

    @Test
    void onceTheMapsAreHeldDistinctEndpointQueriesNeverReachTheOrigin() throws Exception {
        try (PullProxy proxy = Proxies.start("edge", origin.base(), origin.publicKey, Clock.systemUTC())) {
            // a first query is fetched through; the sources it names are fetched after it
            Query first = endpointCost("numerical", "routingcost", "ipv4:128.36.1.1", "ipv4:8.8.8.8");
            assertEquals(200, send(proxy.baseUri(), first).statusCode());
            assertEquals(1.0, upstream(proxy));
            assertTrue(Proxies.await(() -> answeredHere(proxy, first), 10), "the next query is computed here");
            Query firstRanking = ranking("ordinal", "routingcost", "ipv4:128.36.1.1", "ipv4:8.8.8.8");
            assertTrue(Proxies.await(() -> answeredHere(proxy, firstRanking), 10),
                    "likewise a ranking once the seed documents it names are held");
            long originBefore = originRequests();
            double localBefore = local(proxy);
            int n = 0;
            for (int i = 0; i < 150; i++) {
                Query ec = endpointCost("ordinal", "routingcost", "ipv4:128.36.1." + i, "ipv4:130.132.3." + i,
                        "ipv6:2001:db8:2::" + Integer.toHexString(i), "ipv4:8.8." + i + ".8");
                assertEquals(200, send(proxy.baseUri(), ec).statusCode());
                n++;
            }
            for (int i = 0; i < 150; i++) {
                Query rank = ranking("ordinal", "routingcost", "ipv6:2001:db8:1::" + Integer.toHexString(i + 1),
                        "ipv4:9.9." + i + ".9", "ipv4:130.132.3." + i);
                HttpResponse<byte[]> r = send(proxy.baseUri(), rank);
                assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
                n++;
            }
            assertEquals(localBefore + n, local(proxy));
            assertEquals(originBefore, originRequests(), "no query reached the origin");
        }
    }

    @Test
    void theRequestBodyLimitIsTheOperatorsSetting() throws Exception {
        ProxyConfig small = Proxies.config("edge", origin.base(), origin.publicKey);
        small = small.withListen(new ListenConfig(small.listen().address(), null, null, null, ByteSize.ofBytes(2048)));
        try (PullProxy proxy = PullProxy.start(small, Clock.systemUTC())) {
            Query fits = endpointCost("numerical", "routingcost", "ipv4:128.36.1.1", destinations(60));
            Query over = endpointCost("numerical", "routingcost", "ipv4:128.36.1.1", destinations(150));
            assertTrue(fits.body().length() < 2048 && over.body().length() > 2048, fits.body().length() + " " + over.body().length());
            assertEquals(200, send(proxy.baseUri(), fits).statusCode());
            HttpResponse<byte[]> refused = send(proxy.baseUri(), over);
            assertEquals(413, refused.statusCode());
            assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("larger than 2048 bytes"),
                    () -> new String(refused.body(), StandardCharsets.UTF_8));
        }
        // A query of 1.3 MB, past the default 1 MB, is answered where the operator raised the limit.
        ProxyConfig large = Proxies.config("edge", origin.base(), origin.publicKey);
        large = large.withListen(new ListenConfig(large.listen().address(), null, null, null, ByteSize.parse("4MB")));
        try (PullProxy proxy = PullProxy.start(large, Clock.systemUTC())) {
            holdTheMaps(proxy);
            Query big = endpointCost("numerical", "routingcost", "ipv4:128.36.1.1", destinations(65_000));
            assertTrue(big.body().length() > 1024 * 1024, "" + big.body().length());
            double before = local(proxy);
            HttpResponse<byte[]> r = send(proxy.baseUri(), big);
            assertEquals(200, r.statusCode(), () -> new String(r.body(), 0, Math.min(r.body().length, 500), StandardCharsets.UTF_8));
            assertEquals(before + 1, local(proxy), "answered from the held maps");
        }
    }

    /** {@code n} distinct IPv4 endpoints. */
    private static String[] destinations(int n) {
        String[] d = new String[n];
        for (int i = 0; i < n; i++) {
            d[i] = "ipv4:10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
        }
        return d;
    }

    @Test
    void withQueriesUpstreamEveryQueryIsForwarded() throws Exception {
        ProxyConfig config = Proxies.config("edge", origin.base(), origin.publicKey).withQueries(ProxyConfig.Queries.UPSTREAM);
        try (PullProxy proxy = PullProxy.start(config, Clock.systemUTC())) {
            for (String map : MAPS) {
                assertEquals(200, Proxies.get(proxy.baseUri() + map).statusCode(), map);
            }
            long originBefore = originRequests();
            for (int i = 0; i < 20; i++) {
                Query q = endpointCost("numerical", "routingcost", "ipv4:128.36.1." + i, "ipv4:8.8.8.8");
                assertSameAnswer(send(origin.base(), q), send(proxy.baseUri(), q), q);
            }
            assertEquals(0.0, local(proxy));
            assertEquals(20.0, upstream(proxy));
            assertEquals(originBefore + 40, originRequests(), "20 asked directly and 20 forwarded");
        }
    }

    @Test
    void aNewVersionAtTheOriginShowsInTheLocalAnswersOnceHeld() throws Exception {
        Path own = Files.createDirectories(dir.resolve("versions"));
        MutableClock clock = MutableClock.now();
        try (TestOrigin o = TestOrigin.start(own);
             PullProxy proxy = PullProxy.start(Proxies.heldClockConfig("edge", o.base(), o.publicKey), clock)) {
            holdTheMaps(proxy);
            Query ec = endpointCost("numerical", "routingcost", "ipv4:128.36.1.10", "ipv4:130.132.3.7", "ipv6:2001:db8:2::1");
            Query row = Query.get("/cost/row?srcpid=PID1");
            List<Query> both = List.of(ec, row);
            assertSameLocalAnswers(o, proxy, both);
            String before = derivedFrom(send(proxy.baseUri(), ec));

            // a new cost map: only its own tag changes
            String cost = Files.readString(o.maps.resolve("routingcost-map.json"));
            Files.writeString(o.maps.resolve("routingcost-map.json"), cost.replace("\"PID2\": 5", "\"PID2\": 7"));
            awaitNewVersionHeld(o, proxy, clock, both, before);
            String after = derivedFrom(send(o.base(), ec));
            assertNotEquals(before, after);
            assertSameLocalAnswers(o, proxy, both);
            assertTrue(new String(send(proxy.baseUri(), ec).body(), StandardCharsets.UTF_8).contains(":7"));

            // a new network map: every cost map on it follows to a new version
            String net = Files.readString(o.maps.resolve("default-network-map.json"));
            Files.writeString(o.maps.resolve("default-network-map.json"), net.replace("\"130.132.3.0/24\"", "\"130.132.4.0/24\""));
            awaitNewVersionHeld(o, proxy, clock, both, after);
            assertSameLocalAnswers(o, proxy, both);
        }
    }

    @Test
    void aPushProxyAnswersFromTheMapsPushedToIt() throws Exception {
        try (PushTree tree = PushTree.start(dir.resolve("push"));
             PushPullProxy proxy = PushPullProxy.start(Proxies.config("push-edge", tree.originBase(), tree.publicKey),
                     PushFeedConfig.of(URI.create(tree.originBase())).withReadTimeout(PushTree.HEARTBEAT.multipliedBy(2)),
                     PushTree.streamConfig(), tree.verifier, Clock.systemUTC())) {
            PullProxy pull = proxy.pull();
            assertTrue(Proxies.await(() -> proxy.feed().held().keySet().containsAll(MAPS)
                    && proxy.feed().held().containsKey("/directory"), 10), () -> "pushed: " + proxy.feed().held().keySet());
            Query first = endpointCost("numerical", "routingcost", "ipv4:128.36.1.10", "ipv4:8.8.8.8");
            assertTrue(Proxies.await(() -> answeredHere(pull, first), 10), "computed from the pushed maps");
            double forwarded = upstream(pull);
            for (int i = 0; i < 50; i++) {
                Query ec = endpointCost("ordinal", "hopcount", "ipv6:2001:db8:1::" + Integer.toHexString(i), "ipv4:8.8." + i + ".8",
                        "ipv4:130.132.3." + i);
                Query rank = ranking("numerical", "routingcost", "ipv4:130.132.3." + i, "ipv4:128.36.1." + i, "ipv4:9.9.9.9");
                assertSameAnswer(send(tree.originBase(), ec), send(proxy.baseUri(), ec), ec);
                assertSameAnswer(send(tree.originBase(), rank), send(proxy.baseUri(), rank), rank);
            }
            assertEquals(forwarded, upstream(pull), "no query was forwarded");
        }
    }

    /**
     * Waits for the origin to publish a new version (the first query's sources change), lets
     * the proxy revalidate what it holds, and waits until it computes every query from the
     * versions the origin names.
     */
    private static void awaitNewVersionHeld(TestOrigin o, PullProxy proxy, MutableClock clock, List<Query> qs, String old)
            throws Exception {
        assertTrue(Proxies.await(() -> !old.equals(derivedFrom(send(o.base(), qs.get(0)))), 10), "the origin published");
        clock.advance(Duration.ofSeconds(61));
        assertTrue(Proxies.await(() -> {
            proxy.refreshNow().join();
            return qs.stream().allMatch(q -> answeredHere(proxy, q)
                    && derivedFrom(send(o.base(), q)).equals(derivedFrom(send(proxy.baseUri(), q))));
        }, 10), () -> "the proxy computes from the new version: " + qs.stream().map(q -> q.target() + " origin "
                + derivedFrom(send(o.base(), q)) + " proxy " + derivedFrom(send(proxy.baseUri(), q)) + " here "
                + answeredHere(proxy, q)).toList());
    }

    private static void assertSameLocalAnswers(TestOrigin o, PullProxy proxy, List<Query> qs) {
        for (Query q : qs) {
            double before = local(proxy);
            assertSameAnswer(send(o.base(), q), send(proxy.baseUri(), q), q);
            assertEquals(before + 1, local(proxy), () -> "computed here: " + q);
        }
    }

    /**
     * Waits until the proxy is ready (its local answers warm: the directory and every map it lists
     * fetched and read), fetches every map through it, and checks that queries are computed from
     * them. The wait is for that event, its deadline only a failure's: the proxy retries a first
     * fetch that got no answer, and under load the origin's first answers took longer than the
     * proxy's upstream timeout (a 10 s wait for local answers ran out after the directory's first
     * fetch timed out at 5 s).
     */
    static void holdTheMaps(PullProxy proxy) throws Exception {
        assertTrue(Proxies.await(() -> proxy.notReadyBecause() == null, 60),
                () -> "the proxy is ready: " + proxy.notReadyBecause());
        for (String map : MAPS) {
            assertEquals(200, Proxies.get(proxy.baseUri() + map).statusCode(), map);
        }
        assertTrue(answeredHere(proxy, Query.get("/cost/row?srcpid=PID2&type=hopcount")), "computed from the held maps");
        assertTrue(answeredHere(proxy, endpointCost("numerical", "hopcount", "ipv4:1.1.1.1", "ipv4:2.2.2.2")),
                "computed from the held maps");
    }

    private static boolean answeredHere(PullProxy proxy, Query q) {
        double before = local(proxy);
        send(proxy.baseUri(), q);
        return local(proxy) > before;
    }

    /**
     * The same answer: status, body bytes, the fields that describe the body, no signature, and
     * the same {@code Cache-Control} while the answer is as young as the origin's (an answer goes
     * out with the {@code Age} of the copies it came from, computed here or passed on, and its
     * windows end where the origin's do: older, its {@code stale-if-error} is shorter).
     */
    static void assertSameAnswer(HttpResponse<byte[]> origin, HttpResponse<byte[]> proxy, Query q) {
        String what = q + " -> " + new String(proxy.body(), StandardCharsets.UTF_8);
        assertEquals(origin.statusCode(), proxy.statusCode(), what);
        assertArrayEquals(origin.body(), proxy.body(), what);
        for (String h : List.of("content-type", "alto-derived-from", "content-digest", "etag")) {
            assertEquals(origin.headers().firstValue(h), proxy.headers().firstValue(h), h + ": " + what);
        }
        if (Long.parseLong(proxy.headers().firstValue("age").orElse("0")) <= 1) {
            assertSameCacheControl(origin.headers().firstValue("cache-control").orElse(""),
                    proxy.headers().firstValue("cache-control").orElse(""), what);
        }
        assertTrue(proxy.headers().firstValue("signature").isEmpty(), what);
        if (origin.statusCode() == 200) {
            assertTrue(proxy.headers().firstValue("alto-derived-from").isPresent(), what);
        }
    }

    /**
     * The same directives; {@code stale-if-error} (what is left of the sources' signatures) counts
     * down by the second, so the two answers, a moment apart, may differ in it by a second or two.
     * An answer resting on no signature (a static endpoint property) has no stale windows, and a
     * proxy passing it on spares a second of its max-age, as the origin does.
     */
    private static void assertSameCacheControl(String origin, String proxy, String what) {
        Pattern sie = Pattern.compile("stale-if-error=(\\d+)");
        Matcher o = sie.matcher(origin);
        Matcher p = sie.matcher(proxy);
        if (!sie.matcher(origin).find()) {
            Pattern maxAge = Pattern.compile("max-age=(\\d+)");
            Matcher om = maxAge.matcher(origin);
            Matcher pm = maxAge.matcher(proxy);
            assertEquals(om.replaceAll("max-age=N"), pm.replaceAll("max-age=N"), "cache-control: " + what);
            if (!om.find(0) || !pm.find(0)) {
                return; // no max-age (an error's no-store): compared whole just now
            }
            long d = Long.parseLong(om.group(1)) - Long.parseLong(pm.group(1));
            assertTrue(d >= 0 && d <= 2, "cache-control: " + origin + " vs " + proxy + ": " + what);
            return;
        }
        assertEquals(o.replaceAll("stale-if-error=N"), p.replaceAll("stale-if-error=N"), "cache-control: " + what);
        if (o.find(0) && p.find(0)) {
            long d = Math.abs(Long.parseLong(o.group(1)) - Long.parseLong(p.group(1)));
            assertTrue(d <= 3, "cache-control: " + origin + " vs " + proxy + ": " + what);
        }
    }

    static Query endpointCost(String mode, String metric, String src, String... dsts) {
        return Query.post("/endpointcost", EC, "{\"cost-type\":{\"cost-mode\":\"" + mode + "\",\"cost-metric\":\"" + metric
                + "\"},\"endpoints\":{\"srcs\":[\"" + src + "\"],\"dsts\":[\"" + String.join("\",\"", dsts) + "\"]}}");
    }

    static Query ranking(String mode, String metric, String src, String... dsts) {
        StringBuilder b = new StringBuilder("<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"")
                .append(metric).append("\"><srcendp name=\"").append(src).append("\"/>");
        for (String d : dsts) {
            b.append("<dstendp name=\"").append(d).append("\"/>");
        }
        return Query.post("/cost/m?mode=" + mode, XML, b.append("</costquery></alto>").toString());
    }

    static HttpResponse<byte[]> send(String base, Query q) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + q.target())).timeout(Duration.ofSeconds(10));
        if (q.method().equals("POST")) {
            b.header("Content-Type", q.type()).POST(HttpRequest.BodyPublishers.ofString(q.body()));
        } else {
            b.GET();
        }
        try {
            return Proxies.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError(q + ": " + e, e);
        }
    }

    static String derivedFrom(HttpResponse<byte[]> r) {
        return r.headers().firstValue("alto-derived-from").orElse("");
    }

    static double local(PullProxy proxy) {
        return Proxies.count(proxy.registry(), "rproxy.queries", "answered", "local");
    }

    static double upstream(PullProxy proxy) {
        return Proxies.count(proxy.registry(), "rproxy.queries", "answered", "upstream");
    }

    /** Every request the origin has answered so far, from its own request counter. */
    static long originRequests() throws Exception {
        String metrics = new String(Proxies.get(originAdmin + "/metrics").body(), StandardCharsets.UTF_8);
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("rproxy_requests_total{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Math.round(sum);
    }
}
