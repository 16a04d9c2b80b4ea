package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * The directory requests a pull proxy makes when the origin switches keys (docs/origin.md, "Key
 * rotation", step 2) and the maps it holds come back signed by the next key, each at its own
 * refresh (real sockets: a raw loopback upstream that signs each version once, every document of
 * it with one {@code created}, as the origin does). The key switch ({@link KeySwitch}) holds such
 * a map only once the proxy holds the directory the origin re-signed at the switch, so that its
 * update stream sends that directory first; it asks for it only when the directory held is older
 * than the map. Before, it asked for every map: a second time for a map whose unknown key had
 * just had the directory asked for ({@link KeyChase}), and once more for each map after the first.
 */
class KeySwitchDirectoryRequestsTest {
    private static final TestSigner OLD = new TestSigner();
    private static final TestSigner NEXT = new TestSigner();
    private static final String DIRECTORY = "/directory";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> told = new CopyOnWriteArrayList<>();
    /** The requests for the directory's gzip variant, which each attempt for it starts with. */
    private final AtomicInteger directoryAttempts = new AtomicInteger();
    /** The documents of the version served, each signed once. */
    private final Map<String, Representation> signed = new ConcurrentHashMap<>();
    private volatile TestSigner signing = OLD;
    private volatile Instant version = clock.instant();
    private volatile String listing = PullProxyTrustTest.listing(OLD.publicKey().jwk());

    @Test
    void aMapWhoseUnknownKeyHadTheDirectoryAskedForCostsNoSecondRequest() throws Exception {
        try (RawUpstream up = new RawUpstream(this::answer);
             PullProxy proxy = start(up, OLD)) {
            read(proxy, "/costmap/c0");
            int before = directoryAttempts.get();
            int toldBefore = told.size();

            switchKeys(); // the proxy knows only the old key, and holds a directory not naming the next
            clock.advance(Duration.ofSeconds(57)); // the map within 5 s of its max-age (60 s), the directory not (120 s)
            proxy.refreshNow().get(30, TimeUnit.SECONDS); // the map's attempt, with the directory attempts it waited for

            // the old code: expected: <1> but was: <2> (the chase's request, then the key switch's)
            assertEquals(1, directoryAttempts.get() - before, "directory attempts for the map signed by the next key");
            assertEquals(List.of(DIRECTORY, "/costmap/c0"), told.subList(toldBefore, told.size()),
                    "the map, signed by the key the directory taught, held after that directory");
        }
    }

    @Test
    void theMapsReSignedAtTheSwitchCostOneDirectoryRequestBetweenThem() throws Exception {
        try (RawUpstream up = new RawUpstream(this::answer);
             PullProxy proxy = start(up, OLD, NEXT)) {
            assertEquals(200, UpstreamFailureLogTest.get(proxy, "/costmap/c1")); // read once: not kept fresh ahead
            read(proxy, "/costmap/c0");
            int before = directoryAttempts.get();
            int toldBefore = told.size();

            switchKeys();
            clock.advance(Duration.ofSeconds(57)); // c0 within 5 s of its max-age (60 s), c1 (90 s) and the directory not
            proxy.refreshNow().get(30, TimeUnit.SECONDS);
            assertEquals(1, directoryAttempts.get() - before, "the first map signed by the next key");
            clock.advance(Duration.ofSeconds(33)); // c1 past its max-age: a read waits for its revalidation
            assertEquals(200, UpstreamFailureLogTest.get(proxy, "/costmap/c1"));

            // the old code: expected: <1> but was: <2>
            assertEquals(1, directoryAttempts.get() - before, "directory attempts for two maps of one version");
            assertEquals(List.of(DIRECTORY, "/costmap/c0", "/costmap/c1"), told.subList(toldBefore, told.size()),
                    "the directory held before the maps the next key signs");
        }
    }

    private PullProxy start(RawUpstream up, TestSigner... trusted) throws IOException {
        List<Path> trust = new ArrayList<>();
        for (int i = 0; i < trusted.length; i++) {
            trust.add(trusted[i].writePublic(dir.resolve("key" + i + ".pem")));
        }
        ProxyConfig config = new ProxyConfig(ProxyConfig.Mode.PULL, "p",
                new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(up.url()), trust).withTimeout(Duration.ofSeconds(20)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
        PullProxy proxy = PullProxy.start(config, clock, UnaryOperator.identity());
        proxy.addChangeListener((target, r) -> told.add(target)); // as StreamingPull's publisher is
        return proxy;
    }

    /** Reads {@code maps} twice, a second apart: asked for, so each is refreshed ahead of its max-age. */
    private void read(PullProxy proxy, String... maps) throws Exception {
        for (int round = 0; round < 2; round++) {
            for (String map : maps) {
                assertEquals(200, UpstreamFailureLogTest.get(proxy, map), map);
            }
            clock.advance(Duration.ofSeconds(round == 0 ? 1 : 0));
        }
    }

    /**
     * The switch: a new version, now, every document signed by the next key but the directory,
     * which names both (and carries the old key's signature too, as the origin signs it with every
     * key it holds).
     */
    private void switchKeys() {
        listing = PullProxyTrustTest.listing(OLD.publicKey().jwk(), NEXT.publicKey().jwk());
        signing = NEXT;
        version = clock.instant();
        signed.clear();
    }

    /** The document of the version served: the directory fresh for 120 s, c0 for 60 s, c1 for 90 s. */
    private void answer(String head, Socket s) throws IOException {
        String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        boolean gzip = head.toLowerCase(Locale.ROOT).contains("\r\naccept-encoding: gzip");
        boolean directory = target.equals(DIRECTORY);
        if (directory && gzip) {
            directoryAttempts.incrementAndGet();
        }
        long maxAge = directory ? 120 : target.endsWith("c1") ? 90 : 60;
        Representation doc = signed.computeIfAbsent(target, t -> (directory ? OLD : signing)
                .sign(t, directory ? listing : "{}", true, version, Duration.ofHours(1), maxAge));
        Variant v = gzip ? doc.gzip() : doc.identity();
        List<String> headers = new ArrayList<>();
        v.headers().forEach(h -> headers.add(h.name() + ": " + h.value()));
        headers.add("cache-control: max-age=" + maxAge);
        RawUpstream.respond(200, headers, v.body().toArray()).answer(head, s);
    }
}
