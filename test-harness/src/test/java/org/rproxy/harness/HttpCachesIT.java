package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.harness.scenario.CacheProcess;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * Ordinary HTTP caches between clients and a pull proxy keep serving documents that verify, across
 * re-signings: an origin signing for 10 s (re-signing every 5 s, max-age 2 s), a pull proxy, and
 * in front of it nginx with {@code proxy_cache_revalidate} on and off, Varnish with its default
 * parameters (gzip support on) and a backend-only VCL, and the shipped conf/nginx and
 * conf/varnish. For three validity periods identity and gzip clients ask every cache for the
 * documents; every answer must verify (signature, digest over the bytes received, resource,
 * expiry), every cache must keep hitting and must pass on new signings. Every nginx has the gzip
 * settings operators run with (CacheProcess.OPERATOR_GZIP). Through the shipped nginx, an update
 * stream names a usable control URI on nginx, and a pull proxy behind it takes every document.
 * Through the shipped Varnish an update stream outlives send_timeout and names a usable control
 * URI. A default Varnish in front of either shipped cache, or of a plain nginx cache that follows
 * Vary, serves identity bytes that verify.
 * Against a stub backend (CacheStub): the shipped nginx passes no Age on, the shipped Varnish
 * gives an answer without stale-while-revalidate no grace, and both serve their copy while the
 * node fails within stale-if-error (a 503 for Varnish, a node gone away for both), and not past
 * it. Through a pull proxy whose upstream says must-revalidate, neither shipped cache serves the
 * copy stale once the proxy is gone.
 * Skipped when nginx or varnishd is not installed.
 * The cases run at once (three at a time): each mostly waits for a cache's clock to pass a
 * window, and none changes what another reads (the shared caches and proxy are only asked; a case
 * that needs its own cache, stub or origin starts it under its own name and port). Run so on a
 * loaded machine, a default Varnish once served copies up to 0.7 s past their signature's expiry:
 * not the load, but its default_grace standing in for the stale-while-revalidate the node left
 * out near a signature's end, which the load only let show (a background fetch slower than the
 * second to spare); the node now sends stale-while-revalidate=0, and
 * {@link #aDefaultVarnishServesNoCopyPastItsSignaturesExpiryWhenTheNodeGivesNoStaleWindow} shows it.
 */
@Execution(ExecutionMode.CONCURRENT)
class HttpCachesIT {
    static final Duration VALIDITY = Duration.ofSeconds(10);
    static final List<String> TARGETS = List.of("/directory", "/networkmap/default-network-map",
            "/costmap/routingcost-map", "/cost/map");
    static final String STATUS = "add_header X-Cache-Status $upstream_cache_status always;";
    /** TARGETS and the small XML documents, which the origin sends as identity only (under 1 KB). */
    static final List<String> BEHIND_TARGETS = List.of("/directory", "/networkmap/default-network-map",
            "/costmap/routingcost-map", "/cost/map", "/prop/pid", "/capability");

    @TempDir
    static Path dir;
    static Origin origin;
    static StreamingPull proxy;
    static ResponseVerifier verifier;
    static Path nginxExe;
    static Path varnishdExe;
    static Path conf;
    static String upstreamHost;
    static int upstreamPort;
    static final List<CacheProcess> CACHES = new ArrayList<>();

    /** What one cache served during the run. */
    static final class Tally {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong hits = new AtomicLong();
        final AtomicLong gzip = new AtomicLong();
        final Set<Instant> signings = ConcurrentHashMap.newKeySet();
        final List<String> failures = new ArrayList<>();
    }

    @BeforeAll
    static void start() throws Exception {
        Path nginx = CacheProcess.executable("nginx").orElse(null);
        Path varnishd = CacheProcess.executable("varnishd").orElse(null);
        assumeTrue(nginx != null && varnishd != null, "nginx and varnishd are not both installed");
        nginxExe = nginx;
        varnishdExe = varnishd;
        // varnishd's workers drop to their own user: they must be able to reach the work folder.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey k = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path key = PrivateKeyFiles.write(dir.resolve("origin.key"), k.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), k.publicKey().toSpkiPem());
        origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, VALIDITY,
                Duration.ofSeconds(2), List.of(), "caches-origin", null));
        // with the update stream publisher, as 'rproxy proxy' runs it
        ProxyConfig edge = Proxies.config("edge", origin.baseUri(), pub);
        proxy = StreamingPull.start(edge, StreamingPull.streamConfig(edge), Clock.systemUTC());
        verifier = new ResponseVerifier(List.of(k.publicKey()), Clock.systemUTC());
        String upstream = proxy.pull().baseUri().replace("http://", "");
        String host = upstream.substring(0, upstream.lastIndexOf(':'));
        String port = upstream.substring(upstream.lastIndexOf(':') + 1);
        upstreamHost = host;
        upstreamPort = Integer.parseInt(port);

        for (boolean revalidate : new boolean[] {true, false}) {
            String name = "nginx-revalidate-" + (revalidate ? "on" : "off");
            int p = CacheProcess.freePort();
            Path d = dir.resolve(name);
            CACHES.add(CacheProcess.nginx(name, nginx, d, p, "proxy_cache_path " + d.resolve("cache")
                    + " keys_zone=c:1m inactive=10m use_temp_path=off;\n"
                    + "server { listen 127.0.0.1:" + p + "; location / { proxy_pass http://" + upstream + ";"
                    + " proxy_cache c; proxy_cache_revalidate " + (revalidate ? "on" : "off") + "; " + STATUS
                    // the http block compresses as operators' do (CacheProcess.OPERATOR_GZIP)
                    + " gzip off; } }"));
        }
        int vp = CacheProcess.freePort();
        CACHES.add(CacheProcess.varnish("varnish-defaults", varnishd, dir.resolve("varnish-defaults"), vp,
                "vcl 4.1;\nbackend default { .host = \"" + host + "\"; .port = \"" + port + "\"; }\n", List.of()));

        conf = TestPaths.repo().resolve("conf");
        CACHES.add(CacheProcess.shippedNginx("nginx-shipped", nginx, conf, dir.resolve("nginx-shipped"),
                CacheProcess.freePort(), upstream));
        CACHES.add(CacheProcess.shippedVarnish("varnish-shipped", varnishd, conf, dir.resolve("varnish-shipped"),
                CacheProcess.freePort(), host, Integer.parseInt(port)));
    }

    @AfterAll
    static void stop() {
        CACHES.forEach(CacheProcess::close);
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void everyAnswerThroughEveryCacheVerifiesAcrossThreeValidityPeriods() throws Exception {
        Map<CacheProcess, Tally> tallies = new LinkedHashMap<>();
        CACHES.forEach(c -> tallies.put(c, new Tally()));
        long end = System.nanoTime() + VALIDITY.multipliedBy(3).plusSeconds(1).toNanos();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor();
        try {
            rounds.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - end >= 0) {
                    done.complete(null);
                    return;
                }
                try {
                    tallies.forEach(HttpCachesIT::round);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            done.get(VALIDITY.multipliedBy(3).plusSeconds(60).toSeconds(), TimeUnit.SECONDS);
        } finally {
            rounds.shutdownNow();
            assertTrue(rounds.awaitTermination(15, TimeUnit.SECONDS));
        }

        tallies.forEach((c, t) -> System.out.printf("HttpCachesIT: %-22s %5d requests, hit ratio %.2f, %d gzip answers,"
                + " %d signings seen, %d failures%n", c.name(), t.requests.get(),
                t.hits.get() / (double) t.requests.get(), t.gzip.get(), t.signings.size(), t.failures.size()));
        tallies.forEach((c, t) -> {
            assertEquals(List.of(), t.failures.subList(0, Math.min(5, t.failures.size())), c + ": answers that do not verify");
            assertTrue(t.hits.get() > 0, c + ": no hits");
            assertTrue(t.signings.size() >= 4, c + ": only " + t.signings.size() + " signings passed on in 3 periods");
        });
        Map<String, Long> gzip = new LinkedHashMap<>();
        tallies.forEach((c, t) -> gzip.put(c.name(), t.gzip.get()));
        assertEquals(0L, gzip.get("varnish-defaults"), "Varnish with gzip support on gets identity only");
        for (String name : List.of("nginx-revalidate-on", "nginx-revalidate-off", "nginx-shipped", "varnish-shipped")) {
            assertTrue(gzip.get(name) > 0, name + " passes on the signed gzip variants");
        }
    }

    /**
     * An update stream opened through the shipped nginx names a control URI on nginx, under the
     * Host the client asked for (not nginx's name for the node), and that URI controls the stream.
     */
    @Test
    void anUpdateStreamThroughTheShippedNginxNamesAControlUriOnIt() throws Exception {
        CacheProcess nginx = cache("nginx-shipped");
        try (SseClient sse = new SseClient(Proxies.HTTP, nginx.base() + "/updates",
                     "{\"add\":{\"nm\":{\"resource-id\":\"default-network-map\"}}}")) {
            SseClient.Event control = sse.next(Duration.ofSeconds(10));
            assertEquals(MediaTypes.UPDATE_STREAM_CONTROL, control.type(), control.data());
            String uri = new ObjectMapper().readTree(control.data()).path("control-uri").asText();
            assertTrue(uri.startsWith(nginx.base() + "/updates/control/"), control.data());
            HttpResponse<String> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(uri))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", MediaTypes.UPDATE_STREAM_PARAMS)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode(), r.body());
        }
    }

    /**
     * A pull proxy behind the shipped nginx (which compresses nothing, whatever the http block
     * says) takes every document, small XML ones included, and passes none of nginx's own fields on.
     */
    @Test
    void aPullProxyBehindTheShippedNginxServesEveryDocumentVerifiedWithoutNginxsFields() throws Exception {
        try (PullProxy behind = Proxies.start("behind-nginx", cache("nginx-shipped").base(), dir.resolve("origin.pub"),
                Clock.systemUTC())) {
            for (String target : BEHIND_TARGETS) {
                for (boolean gzip : new boolean[] {false, true}) {
                    HttpResponse<byte[]> r = Proxies.get(behind.baseUri() + target,
                            gzip ? Map.of("Accept-Encoding", "gzip") : Map.of());
                    String what = target + (gzip ? " (gzip client)" : " (identity client)");
                    Verdict v = verifier.verify(name -> r.headers().firstValue(name).orElse(null), r.body(),
                            ResponseVerifier.Expectation.path(target));
                    assertEquals(200, r.statusCode(), what + ": " + new String(r.body(), StandardCharsets.UTF_8));
                    assertTrue(v.valid(), what + ": " + v.outcome() + " " + v.reason());
                    for (String field : List.of("server", "x-cache-status", "accept-ranges")) {
                        assertEquals(Optional.empty(), r.headers().firstValue(field), what + ": " + field);
                    }
                }
            }
        }
    }

    /**
     * The shipped nginx passes no {@code Age} on, neither from the 200 it stored nor after a 304
     * revalidation: nginx 1.22 would send the stored {@code Age} through every revalidation, so a
     * node's {@code Age} at or past {@code max-age} (an idle copy served within
     * stale-while-revalidate) would make every copy stale on arrival at the next hop, forever.
     */
    @Test
    void theShippedNginxPassesNoAgeOnThroughA200OrA304() throws Exception {
        try (CacheStub stub = new CacheStub();
             CacheProcess nginx = CacheProcess.shippedNginx("nginx-shipped-age", nginxExe, conf,
                     dir.resolve("nginx-shipped-age"), CacheProcess.freePort(), stub.address())) {
            stub.fields.put("/aged", Map.of("Cache-Control", "max-age=1, no-transform", "Age", "5"));
            HttpResponse<byte[]> stored = Proxies.get(nginx.base() + "/aged");
            assertEquals(200, stored.statusCode());
            assertEquals("MISS", stored.headers().firstValue("x-cache-status").orElse(""));
            assertEquals(Optional.empty(), stored.headers().firstValue("age"), "Age of the 200 nginx stored");
            Thread.sleep(2_500);    // nginx counts whole seconds: expired only once past max-age + 1
            HttpResponse<byte[]> revalidated = Proxies.get(nginx.base() + "/aged");
            assertEquals(200, revalidated.statusCode());
            assertEquals("REVALIDATED", revalidated.headers().firstValue("x-cache-status").orElse(""));
            assertEquals(List.of(false, true), stub.seen("/aged").stream().map(CacheStub.Seen::conditional).toList());
            assertEquals(Optional.empty(), revalidated.headers().firstValue("age"), "Age after a 304 revalidation");
        }
    }

    /**
     * A Varnish with no VCL of its own (http_gzip_support on: it asks for gzip whatever its
     * client asked, marks the request with X-Varnish and gunzips for identity clients) in front of
     * either shipped cache, or of a cache that knows nothing of rproxy and follows {@code Vary}
     * (nginx with a plain proxy_cache, which passes X-Varnish on), gets identity bytes from it,
     * even when that cache holds the gzip variant, so its identity and gzip clients alike get
     * bytes that verify. The plain cache is told by the node itself: its gzip variant names
     * X-Varnish in {@code Vary}, so a stored one is not handed to a request carrying it (before,
     * it named only Accept-Encoding, and the default Varnish got the gzip variant: BAD_SIGNATURE).
     */
    @Test
    void aDefaultVarnishInFrontOfEitherShippedCacheOrAPlainOneServesBytesThatVerify() throws Exception {
        String vcl = "vcl 4.1;\nbackend default { .host = \"127.0.0.1\"; .port = \"%d\"; }\n";
        for (String back : List.of("nginx-shipped", "varnish-shipped", "nginx-revalidate-on")) {
            CacheProcess shipped = cache(back);
            int backPort = Integer.parseInt(shipped.base().substring(shipped.base().lastIndexOf(':') + 1));
            try (CacheProcess front = CacheProcess.varnish("varnish-defaults-before-" + back, varnishdExe,
                    dir.resolve("varnish-defaults-before-" + back), CacheProcess.freePort(),
                    String.format(vcl, backPort), List.of())) {
                for (String target : TARGETS) {
                    // the cache behind holds both variants, fetched for its own clients, when the
                    // front Varnish asks
                    Proxies.get(shipped.base() + target, Map.of("Accept-Encoding", "gzip"));
                    Proxies.get(shipped.base() + target);
                    for (boolean gzip : new boolean[] {false, true, false}) {
                        HttpResponse<byte[]> r = Proxies.get(front.base() + target,
                                gzip ? Map.of("Accept-Encoding", "gzip") : Map.of());
                        String what = back + " behind default Varnish, " + target
                                + (gzip ? " (gzip client)" : " (identity client)");
                        Verdict v = verifier.verify(name -> r.headers().firstValue(name).orElse(null), r.body(),
                                ResponseVerifier.Expectation.path(target));
                        assertEquals(200, r.statusCode(), what);
                        assertTrue(v.valid(), what + ": " + v.outcome() + " " + v.reason());
                    }
                    // and the front Varnish keeps what it got: the identity object it fetched serves
                    // the next client (its Vary must not name X-Varnish, which Varnish keys on)
                    HttpResponse<byte[]> again = Proxies.get(front.base() + target);
                    List<String> fields = again.headers().allValues("x-varnish"); // a Varnish behind adds its own
                    assertEquals(2, fields.get(fields.size() - 1).trim().split("\\s+").length,
                            back + " behind default Varnish, " + target + ": a hit at the front Varnish; vary " + again.headers().allValues("vary") + ", age "
                            + again.headers().allValues("age"));
                }
            }
        }
    }

    /**
     * The shipped Varnish gives an answer without stale-while-revalidate no grace (Varnish's
     * default_grace, 10 s, would serve it past the signature's windows), and still takes its grace
     * from stale-while-revalidate when the node sends it.
     */
    @Test
    void theShippedVarnishServesNoStaleCopyWhenTheNodeLeavesOutStaleWhileRevalidate() throws Exception {
        try (CacheStub stub = new CacheStub();
             CacheProcess varnish = shippedVarnish("varnish-shipped-grace", "127.0.0.1", stub.port(), List.of())) {
            stub.fields.put("/no-swr", Map.of("Cache-Control", "max-age=1, no-transform, stale-if-error=30"));
            stub.fields.put("/swr", Map.of("Cache-Control",
                    "max-age=1, no-transform, stale-while-revalidate=30, stale-if-error=30"));
            for (String path : List.of("/no-swr", "/swr")) {
                assertEquals(200, Proxies.get(varnish.base() + path).statusCode());
            }
            Thread.sleep(1_600);    // past max-age, well within default_grace
            HttpResponse<byte[]> noSwr = Proxies.get(varnish.base() + "/no-swr");
            assertEquals(1, xVarnish(noSwr).length, "without stale-while-revalidate: fetched, not served stale;"
                    + " age " + noSwr.headers().firstValue("age").orElse("-"));
            assertEquals(2, stub.seen("/no-swr").size());
            HttpResponse<byte[]> swr = Proxies.get(varnish.base() + "/swr");
            assertEquals(2, xVarnish(swr).length, "within stale-while-revalidate: served from the cache");
        }
    }

    /**
     * A Varnish with no VCL of its own serves no copy past its signature's {@code expires}, when
     * the node has no {@code stale-while-revalidate} window to give (the signature's last seconds;
     * here every copy, from an origin whose max-age is its validity): the node says
     * {@code stale-while-revalidate=0}, which Varnish takes as no grace. Before, it left the window
     * out and Varnish applied its {@code default_grace} (10 s): a request past {@code expires}
     * got the expired copy (served in grace, the next one fetched in the background). Traffic
     * every 200 ms hid it on a quiet machine; a slow background fetch on a loaded one did not.
     */
    @Test
    void aDefaultVarnishServesNoCopyPastItsSignaturesExpiryWhenTheNodeGivesNoStaleWindow() throws Exception {
        String target = "/networkmap/default-network-map";
        try (Origin signer = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0),
                dir.resolve("maps"), dir.resolve("origin.key"), VALIDITY, VALIDITY, List.of(), "no-window-origin", null))) {
            String address = signer.baseUri().replace("http://", "");
            String vcl = "vcl 4.1;\nbackend default { .host = \"127.0.0.1\"; .port = \""
                    + address.substring(address.lastIndexOf(':') + 1) + "\"; }\n";
            try (CacheProcess varnish = CacheProcess.varnish("varnish-defaults-no-window", varnishdExe,
                    dir.resolve("varnish-defaults-no-window"), CacheProcess.freePort(), vcl, List.of())) {
                HttpResponse<byte[]> first = Proxies.get(varnish.base() + target);
                Verdict held = verifier.verify(name -> first.headers().firstValue(name).orElse(null), first.body(),
                        ResponseVerifier.Expectation.path(target));
                assertTrue(held.valid(), held.outcome() + " " + held.reason());
                String cc = first.headers().firstValue("cache-control").orElse("");
                assertTrue(cc.contains("stale-while-revalidate=0"), "no window, said: " + cc);
                long untilExpiry = Duration.between(Instant.now(), held.expires()).toMillis();
                sleepUntil(System.nanoTime(), untilExpiry + 300); // the copy's signature has run out
                HttpResponse<byte[]> after = Proxies.get(varnish.base() + target);
                Verdict v = verifier.verify(name -> after.headers().firstValue(name).orElse(null), after.body(),
                        ResponseVerifier.Expectation.path(target));
                assertTrue(v.valid(), "past the held copy's expiry: " + v.outcome() + " " + v.reason() + "; " + seen(after)
                        + ", cache-control " + after.headers().allValues("cache-control"));
            }
        }
    }

    /**
     * Either shipped cache, past {@code max-age} and {@code stale-while-revalidate}, fetches in
     * the foreground while the node answers, and serves its copy while the node fails within
     * {@code stale-if-error} (Varnish: the node's 5xx or a refused connection; nginx: a refused
     * connection, not the node's own 5xx, which it passes on), and not past it. The node goes
     * away as a stopped one does ({@link CacheStub#goAway}: its connections reset, the port then
     * refusing). Varnish knows no
     * stale-if-error: until the shipped VCL took it as grace, used only after a failed fetch, the
     * shipped Varnish answered 503 where nginx served the copy, which still verified.
     */
    @Test
    void eitherShippedCacheServesItsCopyWhileTheNodeFailsWithinStaleIfErrorOnly() throws Exception {
        String cc = "max-age=1, no-transform, stale-while-revalidate=1, stale-if-error=6";
        for (String kind : List.of("nginx", "varnish")) {
            CacheStub stub = new CacheStub();
            String name = kind + "-shipped-outage";
            try (CacheProcess cache = kind.equals("nginx")
                    ? CacheProcess.shippedNginx(name, nginxExe, conf, dir.resolve(name), CacheProcess.freePort(),
                            stub.address())
                    : shippedVarnish(name, "127.0.0.1", stub.port(), List.of())) {
                stub.fields.put("/down", Map.of("Cache-Control", cc));
                stub.fields.put("/up", Map.of("Cache-Control", cc));
                // Each window counts from the cache's fetch, before its answer came; nginx counts
                // whole seconds, so a window ends up to a second after its length from that answer.
                HttpResponse<byte[]> first = Proxies.get(cache.base() + "/down");
                long down = System.nanoTime();
                assertEquals(200, first.statusCode());
                assertEquals(200, Proxies.get(cache.base() + "/up").statusCode());
                long up = System.nanoTime();
                stub.failing.add("/down");
                sleepUntil(up, 3_200);  // past max-age + stale-while-revalidate + 1
                HttpResponse<byte[]> fresh = Proxies.get(cache.base() + "/up");
                assertTrue(fromTheNode(fresh), kind + ": past stale-while-revalidate, the node answering: fetched; "
                        + seen(fresh));
                HttpResponse<byte[]> failing = Proxies.get(cache.base() + "/down");
                // Varnish: its fetch, and the background fetch its stale hit starts
                assertTrue(stub.seen("/down").size() >= 2, kind + ": the node was asked first");
                if (kind.equals("nginx")) {
                    // nginx (since 1.19.2) takes stale-if-error for a failed connection or a timeout,
                    // never for the node's own 5xx, which it passes on (docs/http-caches.md says so)
                    assertEquals(503, failing.statusCode(), kind + ": the node's 503 passed on; " + seen(failing));
                } else {
                    assertEquals(200, failing.statusCode(), kind + ": the node answering 503 within stale-if-error; "
                            + seen(failing));
                    assertTrue(!fromTheNode(failing), kind + ": the copy held; " + seen(failing));
                    assertEquals(new String(first.body(), StandardCharsets.UTF_8),
                            new String(failing.body(), StandardCharsets.UTF_8));
                }
                // The node goes away: its listener closes and its open connections are reset, the
                // cache's kept-alive one included, so the cache's next fetch is refused at once.
                stub.goAway();
                HttpResponse<byte[]> refused = Proxies.get(cache.base() + "/down");
                assertEquals(200, refused.statusCode(), kind + ": the node refusing connections within stale-if-error; "
                        + seen(refused));
                assertTrue(!fromTheNode(refused), kind + ": the copy held; " + seen(refused));
                assertEquals(new String(first.body(), StandardCharsets.UTF_8), new String(refused.body(), StandardCharsets.UTF_8));
                sleepUntil(down, 8_300);  // past max-age + stale-if-error + 1
                HttpResponse<byte[]> past = Proxies.get(cache.base() + "/down");
                assertTrue(past.statusCode() >= 500, kind + ": past stale-if-error the copy is not served; " + seen(past));
            } finally {
                stub.close();
            }
        }
    }

    /**
     * A request carrying {@code Rproxy-Refetch} for a copy the shipped Varnish fetched over a
     * second ago goes to the node, and while the node fails it gets the copy, within
     * {@code stale-if-error}, as a request for an expired copy does. Before, the VCL fetched it
     * past the copy, and the client got the node's 503.
     */
    @Test
    void theShippedVarnishAnswersARefetchWithItsCopyWhileTheNodeFails() throws Exception {
        CacheStub stub = new CacheStub();
        try (CacheProcess varnish = shippedVarnish("varnish-shipped-refetch", "127.0.0.1", stub.port(), List.of())) {
            stub.fields.put("/map", Map.of("Cache-Control",
                    "max-age=60, no-transform, stale-while-revalidate=0, stale-if-error=60"));
            HttpResponse<byte[]> first = Proxies.get(varnish.base() + "/map");
            long stored = System.nanoTime();
            assertEquals(200, first.statusCode());
            stub.failing.add("/map");
            sleepUntil(stored, 1_500); // the copy over a second old: a refetch goes to the node
            HttpResponse<byte[]> refetch = Proxies.get(varnish.base() + "/map", Map.of("rproxy-refetch", "1"));
            // its fetch, and the background fetch of the stale hit that then serves the copy
            assertTrue(stub.seen("/map").size() >= 2, "the refetch went to the node");
            assertEquals(200, refetch.statusCode(), "a refetch while the node fails; " + seen(refetch));
            assertEquals(new String(first.body(), StandardCharsets.UTF_8),
                    new String(refetch.body(), StandardCharsets.UTF_8));
        } finally {
            stub.close();
        }
    }

    /**
     * A pull proxy whose upstream says {@code must-revalidate} passes it on with no stale window
     * ({@code stale-while-revalidate=0}, no {@code stale-if-error}), and neither shipped cache nor
     * a Varnish with no VCL of its own then serves its copy stale: past {@code max-age}, with the
     * proxy gone (stopped: its connections closed, its port refusing), each answers an error
     * (a default Varnish, told no window at all, gave the copy its {@code default_grace} of 10 s
     * and served it: 200, age 3), where,
     * told the windows the signature allows, they served the copy for another
     * {@code stale-while-revalidate} and {@code stale-if-error} (before, the proxy announced
     * those whatever its upstream said). The upstream is an origin signing for a minute (so the
     * windows the signature allows outlast the wait here) behind an nginx that replaces its
     * {@code Cache-Control} with {@code max-age=2, must-revalidate} (the origin sends none).
     */
    @Test
    void aCopyThatMustBeRevalidatedIsNotServedStaleByAShippedCacheOrADefaultVarnishOnceTheProxyIsGone() throws Exception {
        String target = "/networkmap/default-network-map";
        for (String kind : List.of("nginx", "varnish", "varnish-default")) {
            String name = kind + "-must-revalidate";
            int rp = CacheProcess.freePort();
            try (Origin signer = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0),
                    dir.resolve("maps"), dir.resolve("origin.key"), Duration.ofMinutes(1), Duration.ofSeconds(2), List.of(),
                    name + "-origin", null));
                 CacheProcess rewriter = CacheProcess.nginx(name + "-upstream", nginxExe, dir.resolve(name + "-upstream"),
                    rp, "server { listen 127.0.0.1:" + rp + "; location / { proxy_pass "
                            + signer.baseUri().replace("localhost", "127.0.0.1") + ";"
                            + " proxy_hide_header Cache-Control; add_header Cache-Control \"max-age=2, must-revalidate\";"
                            + " gzip off; } }")) {
                PullProxy node = PullProxy.start(Proxies.config(name, rewriter.base(), dir.resolve("origin.pub")));
                String address = node.baseUri().replace("http://", "");
                int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                try (CacheProcess cache = switch (kind) {
                    case "nginx" -> CacheProcess.shippedNginx(name, nginxExe, conf, dir.resolve(name), CacheProcess.freePort(),
                            "127.0.0.1:" + port);
                    case "varnish" -> shippedVarnish(name, "127.0.0.1", port, List.of());
                    default -> CacheProcess.varnish(name, varnishdExe, dir.resolve(name), CacheProcess.freePort(),
                            "vcl 4.1;\nbackend default { .host = \"127.0.0.1\"; .port = \"" + port + "\"; }\n", List.of());
                }) {
                    HttpResponse<byte[]> first = Proxies.get(cache.base() + target);
                    long fetched = System.nanoTime();
                    assertEquals(200, first.statusCode(), kind + ": " + seen(first));
                    String cc = first.headers().firstValue("cache-control").orElse("");
                    assertTrue(cc.contains("must-revalidate") && cc.contains("stale-while-revalidate=0")
                            && !cc.contains("stale-if-error"), kind + ": passed on: " + cc);
                    Verdict v = verifier.verify(name2 -> first.headers().firstValue(name2).orElse(null), first.body(),
                            new ResponseVerifier.Expectation(target, null));
                    assertTrue(v.valid(), kind + ": " + v.outcome() + " " + v.reason());
                    assertTrue(!fromTheNode(Proxies.get(cache.base() + target)), kind + ": a hit while fresh");
                    node.close();
                    Socket refusing = CacheStub.holdClosed(port);
                    sleepUntil(fetched, 3_200); // past max-age (2 s), counted in whole seconds
                    HttpResponse<byte[]> stale = Proxies.get(cache.base() + target);
                    if (refusing != null) {
                        refusing.close();
                    }
                    assertTrue(stale.statusCode() >= 500, kind + ": no stale copy once the proxy is gone; " + seen(stale)
                            + ", cache-control " + stale.headers().allValues("cache-control"));
                } finally {
                    node.close();
                }
            }
        }
    }

    /** Sleeps until {@code millis} after {@code start} (System.nanoTime), for a cache's own clock to pass a window. */
    private static void sleepUntil(long start, long millis) throws InterruptedException {
        long left = TimeUnit.NANOSECONDS.toMillis(start + TimeUnit.MILLISECONDS.toNanos(millis) - System.nanoTime());
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    /** Whether a shipped nginx or Varnish got this answer from its backend just now, not from its cache. */
    private static boolean fromTheNode(HttpResponse<?> r) {
        return r.headers().firstValue("x-varnish").isPresent()
                ? xVarnish(r).length == 1
                : Set.of("MISS", "EXPIRED", "REVALIDATED").contains(r.headers().firstValue("x-cache-status").orElse(""));
    }

    private static String seen(HttpResponse<?> r) {
        return r.statusCode() + ", x-cache-status " + r.headers().allValues("x-cache-status") + ", x-varnish "
                + r.headers().allValues("x-varnish") + ", age " + r.headers().allValues("age");
    }

    /**
     * An update stream through the shipped Varnish stays open past Varnish's send_timeout (a total
     * limit on one response, 600 s by default; 5 s here), names a control URI on Varnish (under the
     * Host the client asked for), and that URI controls the stream.
     */
    @Test
    void anUpdateStreamThroughTheShippedVarnishOutlivesSendTimeoutAndNamesAControlUriOnIt() throws Exception {
        try (CacheProcess varnish = shippedVarnish("varnish-shipped-streams", upstreamHost, upstreamPort,
                List.of("send_timeout=5"));
             SseClient sse = new SseClient(Proxies.HTTP, varnish.base() + "/updates",
                     "{\"add\":{\"nm\":{\"resource-id\":\"default-network-map\"}}}")) {
            long opened = System.nanoTime();
            SseClient.Event control = sse.next(Duration.ofSeconds(10));
            assertEquals(MediaTypes.UPDATE_STREAM_CONTROL, control.type(), control.data());
            String uri = new ObjectMapper().readTree(control.data()).path("control-uri").asText();
            assertTrue(uri.startsWith(varnish.base() + "/updates/control/"), control.data());
            HttpResponse<String> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(uri))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", MediaTypes.UPDATE_STREAM_PARAMS)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"add\":{\"rc\":{\"resource-id\":\"routingcost-map\"}}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode(), r.body());
            // the origin re-signs every 5 s: events keep coming after send_timeout has passed
            Duration past = Duration.ofSeconds(7);
            while (true) {
                SseClient.Event e = sse.next(Duration.ofSeconds(15));
                assertTrue(!e.type().equals("closed") && !e.type().equals("status"),
                        "stream ended after " + Duration.ofNanos(System.nanoTime() - opened).toMillis() + " ms: "
                                + e.type() + " " + e.data());
                if (System.nanoTime() - opened > past.toNanos()) {
                    break;
                }
            }
        }
    }

    /** The request's and (on a hit) the stored object's transaction numbers Varnish sends. */
    private static String[] xVarnish(HttpResponse<?> r) {
        return r.headers().firstValue("x-varnish").orElse("").trim().split("\\s+");
    }

    /** varnishd with the shipped VCL and parameters in front of {@code host:port}, with {@code extra} parameters. */
    private static CacheProcess shippedVarnish(String name, String host, int port, List<String> extra) throws Exception {
        String vcl = Files.readString(conf.resolve("varnish/rproxy.vcl"));
        assertTrue(vcl.contains(".host = \"127.0.0.1\"") && vcl.contains(".port = \"8282\""), "backend in the VCL");
        vcl = vcl.replace(".host = \"127.0.0.1\"", ".host = \"" + host + "\"")
                .replace(".port = \"8282\"", ".port = \"" + port + "\"");
        List<String> params = new ArrayList<>(Files.readAllLines(conf.resolve("varnish/varnishd.params")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
        params.addAll(extra);
        return CacheProcess.varnish(name, varnishdExe, dir.resolve(name), CacheProcess.freePort(), vcl, params);
    }

    private static CacheProcess cache(String name) {
        return CACHES.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** Every target, for an identity and a gzip client, through one cache. */
    private static void round(CacheProcess cache, Tally tally) {
        for (String target : TARGETS) {
            for (boolean gzip : new boolean[] {false, true}) {
                String what = target + (gzip ? " (gzip client)" : " (identity client)");
                try {
                    HttpResponse<byte[]> r = Proxies.get(cache.base() + target,
                            gzip ? Map.of("Accept-Encoding", "gzip") : Map.of());
                    tally.requests.incrementAndGet();
                    String cacheStatus = r.headers().firstValue("x-cache-status").orElse("");
                    if (Set.of("HIT", "STALE", "UPDATING").contains(cacheStatus)
                            || r.headers().firstValue("x-varnish").orElse("").trim().contains(" ")) {
                        tally.hits.incrementAndGet();
                    }
                    if (r.headers().firstValue("content-encoding").orElse("").equals("gzip")) {
                        assertTrue(gzip, "gzip sent to a client that did not ask for it");
                        tally.gzip.incrementAndGet();
                    }
                    Verdict v = verifier.verify(name -> r.headers().firstValue(name).orElse(null), r.body(),
                            ResponseVerifier.Expectation.path(target));
                    if (r.statusCode() != 200 || !v.valid()) {
                        tally.failures.add(what + ": " + r.statusCode() + " " + v.outcome() + " " + v.reason()
                                + " age=" + r.headers().firstValue("age").orElse("-")
                                + " status=" + cacheStatus);
                    } else {
                        tally.signings.add(v.created());
                    }
                } catch (Exception | AssertionError e) {
                    tally.failures.add(what + ": " + e);
                }
            }
        }
    }
}
