package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.TestSigner;

/**
 * What a pull proxy hands out about the keys it trusts: their ids, read-only, and a verifier on
 * them that follows what the proxy learns from the directories it holds; never the key set
 * itself, whose {@code learn} adds keys without verifying anything (real sockets: a loopback
 * upstream that answers 404, the documents offered as bundles, which it verifies itself). And of its
 * meters, a registry to bind and read them, not the Prometheus registry the admin listener scrapes.
 */
class PullProxyTrustTest {
    private static final String DIRECTORY = "/directory";
    private static final String DOC = "/networkmap/a";

    @TempDir
    Path dir;

    @Test
    void noPublicMethodHandsOutTheLiveKeySet() {
        for (Method m : PullProxy.class.getMethods()) {
            assertNotEquals(TrustedKeys.class, m.getReturnType(),
                    m + ": whoever holds the proxy could make it trust any key");
        }
    }

    @Test
    void aDirectoryOfferedTeachesNoKeyUnlessTheOriginSignedIt() throws Exception {
        TestSigner origin = new TestSigner();
        TestSigner stranger = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pem"));
        Instant created = Instant.now().minusSeconds(5);
        String body = listing(stranger.publicKey().jwk());
        Representation byStranger = stranger.sign(DIRECTORY, body, false, created, Duration.ofHours(1), 60);
        Representation genuine = origin.sign(DIRECTORY, body, false, created, Duration.ofHours(1), 60);
        byte[] notFound = "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\"}}".getBytes(StandardCharsets.UTF_8);
        try (RawUpstream up = new RawUpstream(RawUpstream.respond(404,
                List.of("content-type: application/alto-error+json"), notFound));
             PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> proxy.offer(bundleOf(byStranger)));
            assertTrue(unknown.getMessage().startsWith("UNKNOWN_KEY: "), unknown.getMessage());
            SignedBundle forged = SignedBundle.of(headersOf(genuine),
                    body.replace("\"proxies\":[]", "\"proxies\":[ ]").getBytes(StandardCharsets.UTF_8));
            IllegalArgumentException changed = assertThrows(IllegalArgumentException.class, () -> proxy.offer(forged));
            assertTrue(changed.getMessage().startsWith("DIGEST_MISMATCH: "), changed.getMessage());
            // a Representation is anyone's to make: handed over as a composed feed hands its copies, it is checked too
            assertFalse(proxy.offer(DIRECTORY, byStranger), "a directory signed by a key the proxy does not trust");
            Variant g = genuine.identity();
            Representation forgedCopy = new Representation(new Variant(Bytes.wrap(body.replace("\"proxies\":[]",
                    "\"proxies\":[ ]").getBytes(StandardCharsets.UTF_8)), null, g.headers()), null, 60, genuine.created(),
                    genuine.expires());
            assertFalse(proxy.offer(DIRECTORY, forgedCopy), "bytes the origin did not sign");
            assertEquals(Set.of(origin.publicKey().keyId()), proxy.trustedKeyIds(), "no key learnt");
            assertTrue(proxy.heldSignedTargets().isEmpty(), "nothing held");
            assertTrue(proxy.offer(DIRECTORY, genuine), "what the origin signed is held");
            assertEquals(Set.of(origin.publicKey().keyId(), stranger.publicKey().keyId()), proxy.trustedKeyIds());
        }
    }

    /**
     * A representation offered is held with the times its signature gives, not those it is
     * labelled with: {@code created} and {@code expires} are fields of the record, anyone's to
     * set. The variants were verified, but the labels were taken on the caller's word: an older
     * signing labelled newer replaced the newer copy held (a rollback), and a copy labelled to
     * expire in 30 days was held that long.
     */
    @Test
    void aCopyOfferedIsHeldWithItsSignaturesTimesNotTheOnesItIsLabelledWith() throws Exception {
        TestSigner origin = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pem"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS); // signatures count whole seconds
        Representation v1 = origin.sign(DOC, "{\"v\":1}", false, now.minusSeconds(20), Duration.ofHours(1), 60);
        Representation v2 = origin.sign(DOC, "{\"v\":2}", false, now.minusSeconds(10), Duration.ofHours(1), 60);
        byte[] notFound = "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\"}}".getBytes(StandardCharsets.UTF_8);
        try (RawUpstream up = new RawUpstream(RawUpstream.respond(404,
                List.of("content-type: application/alto-error+json"), notFound));
             PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            List<Representation> held = new CopyOnWriteArrayList<>();
            proxy.addChangeListener((target, r) -> {
                if (target.equals(DOC)) {
                    held.add(r);
                }
            });
            Representation longer = new Representation(v2.identity(), null, 60, v2.created(),
                    v2.created().plus(Duration.ofDays(30)));
            assertTrue(proxy.offer(DOC, longer), "the origin's bytes and signature");
            assertEquals(v2.expires(), held.get(held.size() - 1).expires(), "held until its signature expires");

            Representation relabelled = new Representation(v1.identity(), null, 60, now, v1.expires());
            assertFalse(proxy.offer(DOC, relabelled), "an older signing labelled newer: a rollback");
            assertEquals(v2.created(), held.get(held.size() - 1).created(), "the newer copy stays held");
        }
    }

    /**
     * What the proxy's own verifier verified is held as it is; a copy another verifier made (on
     * a stranger's key: anyone can make a verifier) is verified again, and refused.
     */
    @Test
    void aVerifiedCopyIsTakenOnlyFromTheProxysOwnVerifier() throws Exception {
        TestSigner origin = new TestSigner();
        TestSigner stranger = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pem"));
        Instant created = Instant.now().minusSeconds(5);
        Representation byStranger = stranger.sign(DOC, "{}", false, created, Duration.ofHours(1), 60);
        Representation genuine = origin.sign(DOC, "{}", false, created, Duration.ofHours(1), 60);
        byte[] notFound = "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\"}}".getBytes(StandardCharsets.UTF_8);
        try (RawUpstream up = new RawUpstream(RawUpstream.respond(404,
                List.of("content-type: application/alto-error+json"), notFound));
             PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            assertSame(proxy.verifier(), proxy.verifier(), "one verifier, which the copies it made name");
            ResponseVerifier strangers = new ResponseVerifier(List.of(stranger.publicKey()), proxy.verifier().clock());
            VerifiedRepresentation forged = assertInstanceOf(VerifiedRepresentation.Verified.class,
                    VerifiedRepresentation.verify(strangers, DOC, byStranger)).copy();
            assertFalse(proxy.offer(forged), "verified on a key the proxy does not trust");
            assertTrue(proxy.heldSignedTargets().isEmpty(), "nothing held");
            VerifiedRepresentation own = assertInstanceOf(VerifiedRepresentation.Verified.class,
                    VerifiedRepresentation.verify(proxy.verifier(), DOC, genuine)).copy();
            assertTrue(proxy.offer(own));
            assertEquals(Set.of(DOC), proxy.heldSignedTargets());
        }
    }

    /** {@code r} as a signed bundle, as {@code rproxy fetch -o} keeps one. */
    private static SignedBundle bundleOf(Representation r) {
        return SignedBundle.of(headersOf(r), r.identity().body().toArray());
    }

    private static Map<String, List<String>> headersOf(Representation r) {
        Map<String, List<String>> headers = new HashMap<>();
        r.identity().headers().forEach(f -> headers.computeIfAbsent(f.name(), n -> new ArrayList<>()).add(f.value()));
        return headers;
    }

    @Test
    void noPublicMethodHandsOutTheScrapingRegistry() {
        for (Method m : PullProxy.class.getMethods()) {
            assertFalse(PrometheusMeterRegistry.class.isAssignableFrom(m.getReturnType()),
                    m + ": /metrics is the admin listener's; callers bind and read meters");
        }
    }

    @Test
    void theVerifierItGivesTrustsTheNextKeyOnceTheProxyHoldsADirectoryListingIt() throws Exception {
        TestSigner origin = new TestSigner();
        TestSigner next = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pem"));
        Instant created = Instant.now().minusSeconds(5);
        String body = listing(origin.publicKey().jwk(), next.publicKey().jwk());
        Representation directory = origin.sign(DIRECTORY, body, false, created, Duration.ofHours(1), 60);
        Representation signedByNext = next.sign(DOC, "{}", false, created, Duration.ofHours(1), 60);
        byte[] notFound = "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\"}}".getBytes(StandardCharsets.UTF_8);
        try (RawUpstream up = new RawUpstream(RawUpstream.respond(404,
                List.of("content-type: application/alto-error+json"), notFound));
             PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            ResponseVerifier verifier = proxy.verifier();
            Set<String> ids = proxy.trustedKeyIds();
            assertEquals(Set.of(origin.publicKey().keyId()), ids);
            assertThrows(UnsupportedOperationException.class, () -> ids.add(next.publicKey().keyId()));
            assertEquals(Outcome.UNKNOWN_KEY, verify(verifier, signedByNext, DOC));

            assertEquals(Outcome.VALID, verify(verifier, directory, DIRECTORY));
            assertTrue(proxy.offer(bundleOf(directory)));

            assertEquals(Set.of(origin.publicKey().keyId(), next.publicKey().keyId()), proxy.trustedKeyIds());
            assertEquals(Outcome.VALID, verify(verifier, signedByNext, DOC), "the verifier given before the offer");
        }
    }

    /**
     * A pull proxy's start fetches the directory before its other prefetches (so that a restart in
     * the middle of a key rotation refuses nothing). A hostile upstream answering that fetch with
     * a directory another key signed, listing that key, teaches the proxy nothing, and one never
     * answering it stalls nothing: either way the other prefetches are fetched once it has ended,
     * the origin's map held and the stranger's refused.
     */
    @Test
    void aStartWhoseDirectoryIsForgedOrNeverComesLearnsNoKeyAndFetchesTheRestAllTheSame() throws Exception {
        TestSigner origin = new TestSigner();
        TestSigner stranger = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pem"));
        Representation forged = servable(stranger, DIRECTORY, listing(stranger.publicKey().jwk()));
        Representation map = servable(origin, DOC, "{}");
        String other = "/networkmap/b";
        Representation strangers = servable(stranger, other, "{}");
        Map<String, RawUpstream.Answer> answers = new HashMap<>(Map.of(DOC, RawUpstream.variants(DOC, () -> map),
                other, RawUpstream.variants(other, () -> strangers)));
        for (RawUpstream.Answer directory : List.of(RawUpstream.variants(DIRECTORY, () -> forged), RawUpstream.STALL)) {
            answers.put(DIRECTORY, directory);
            try (RawUpstream up = new RawUpstream((head, s) -> answers.get(head.split(" ")[1]).answer(head, s));
                 PullProxy proxy = PullProxy.start(config(up.url(), pub, List.of(DOC, other)))) {
                long refusals = directory == RawUpstream.STALL ? 1 : 2;
                Eventually.await("the origin's map held, the stranger's refused", Duration.ofSeconds(30),
                        () -> proxy.heldSignedTargets().contains(DOC) && unknownKeys(proxy) >= refusals);
                assertEquals(Set.of(DOC), proxy.heldSignedTargets(), "nothing the stranger signed is held");
                assertEquals(Set.of(origin.publicKey().keyId()), proxy.trustedKeyIds(), "no key learnt");
            }
        }
    }

    /** {@code body} signed by {@code signer} for {@code target}, with a gzip variant, valid for an hour. */
    private static Representation servable(TestSigner signer, String target, String body) {
        return signer.sign(target, body, true, Instant.now().minusSeconds(5), Duration.ofHours(1), 60);
    }

    /** The upstream answers {@code proxy} refused as signed by a key it does not trust. */
    private static double unknownKeys(PullProxy proxy) {
        return proxy.registry().find("rproxy.verification.failures").tag("reason", "unknown_key").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static Outcome verify(ResponseVerifier verifier, Representation r, String path) {
        Variant v = r.identity();
        return verifier.verify(name -> v.header(name).orElse(null), v.body().toArray(),
                ResponseVerifier.Expectation.path(path)).outcome();
    }

    /** A directory listing {@code keys} and nothing else. */
    static String listing(Jwk... keys) {
        StringBuilder b = new StringBuilder("{\"meta\":{\"alto-redist\":{\"keys\":[");
        for (int i = 0; i < keys.length; i++) {
            b.append(i == 0 ? "" : ",").append(json(keys[i]));
        }
        return b.append("],\"proxies\":[]}},\"resources\":{}}").toString();
    }

    private static String json(Jwk k) {
        return "{\"kty\":\"" + k.kty() + "\",\"crv\":\"" + k.crv() + "\",\"x\":\"" + k.x() + "\",\"kid\":\"" + k.kid()
                + "\",\"alg\":\"" + k.alg() + "\"}";
    }

    private static ProxyConfig config(String upstream, Path pub) {
        return config(upstream, pub, List.of());
    }

    private static ProxyConfig config(String upstream, Path pub, List<String> prefetch) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofMillis(500))
                        .withPrefetch(prefetch),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMillis(1),
                        Duration.ofHours(1)),
                null);
    }
}
