package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.codec.Gzip;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.UpdatePublisher;

/**
 * {@code rproxy proxy --mode push} ({@link PushPullProxy}) under an upstream that pairs a fresh
 * identity signature with an older signing of the same gzip bytes, over real loopback sockets:
 * after the gzip signing's expiry, and before the identity's, the push proxy's gzip clients get
 * what verifies (the identity variant), and so does a pull proxy below it, which asks for gzip
 * first. A pull proxy right under such an upstream, asking after the gzip signing's expiry, holds
 * and serves the identity variant. Every node's clock is the test's, moved on rather than waited
 * for.
 */
class PushedGzipExpiryIT {
    private static final String MAP = "/networkmap/nm";
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    /** The gzip variant's signing, 50 minutes before the identity's: each valid for an hour. */
    private static final Instant GZIP_SIGNED = T0.minus(Duration.ofMinutes(50));
    private static final Duration VALIDITY = Duration.ofHours(1);
    /** Longer than the test: the copy the stream brought stays fresh, and nothing pulls another. */
    private static final long MAX_AGE = 3600;

    @TempDir
    Path dir;

    @Test
    void pastTheGzipSigningsExpiryEveryGzipClientGetsWhatVerifies() throws Exception {
        TestSigner origin = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pub"));
        MutableClock clock = new MutableClock(T0.plusSeconds(10));
        ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()), clock);
        Representation paired = paired(origin);
        try (UpdatePublisher stream = new UpdatePublisher(PushTree.streamConfig());
             ControlledUpstream upstream = new ControlledUpstream(stream)) {
            upstream.servePushedMap(origin, T0, MAP, paired);
            ProxyConfig push = Proxies.config("push", upstream.baseUri(), pub).withMode(ProxyConfig.Mode.PUSH)
                    .withQueries(ProxyConfig.Queries.UPSTREAM);
            try (PushPullProxy proxy = PushPullProxy.start(push, clock)) {
                PushTree.await(Duration.ofSeconds(10), "the pushed map held",
                        () -> proxy.pull().heldSignedTargets().contains(MAP));
                assertEquals(0, upstream.requests(MAP), "the copy held is the one the stream brought");

                // after the gzip signing's expiry (T0 + 10 min), before the identity's (T0 + 1 h)
                clock.advance(Duration.ofMinutes(20));
                HttpResponse<byte[]> r = Proxies.get(proxy.baseUri() + MAP, Map.of("Accept-Encoding", "gzip"));
                assertVerifiedIdentity(r, verifier, paired, "the push proxy");
                assertEquals(0, upstream.requests(MAP), "served from what the stream brought: "
                        + upstream.requestCounts());

                ProxyConfig edge = Proxies.config("edge", proxy.baseUri(), pub).withQueries(ProxyConfig.Queries.UPSTREAM);
                try (PullProxy below = PullProxy.start(edge, clock)) {
                    HttpResponse<byte[]> e = Proxies.get(below.baseUri() + MAP, Map.of("Accept-Encoding", "gzip"));
                    assertVerifiedIdentity(e, verifier, paired, "a pull proxy below it");
                }
            }
        }
    }

    @Test
    void aPullProxyAskingAfterTheGzipSigningsExpiryHoldsAndServesTheIdentity() throws Exception {
        TestSigner origin = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pub"));
        MutableClock clock = new MutableClock(T0.plus(Duration.ofMinutes(20)));
        ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()), clock);
        Representation paired = paired(origin);
        try (ControlledUpstream upstream = new ControlledUpstream()) {
            upstream.docs.put(MAP, paired);
            ProxyConfig edge = Proxies.config("edge", upstream.baseUri(), pub).withQueries(ProxyConfig.Queries.UPSTREAM);
            try (PullProxy proxy = PullProxy.start(edge, clock)) {
                HttpResponse<byte[]> r = Proxies.get(proxy.baseUri() + MAP, Map.of("Accept-Encoding", "gzip"));
                assertVerifiedIdentity(r, verifier, paired, "the pull proxy");
                assertEquals(2, upstream.requests(MAP), "gzip asked for, then identity: " + upstream.requestCounts());
                assertEquals(1.0, Proxies.count(proxy.registry(), "rproxy.verification.failures", "reason", "expired"),
                        "the expired gzip answer is counted");
            }
        }
    }

    /** The map's identity variant signed at {@link #T0}, with its gzip variant signed at {@link #GZIP_SIGNED}. */
    private static Representation paired(TestSigner origin) {
        AltoResource res = AltoResource.of("nm", MAP);
        StringBuilder map = new StringBuilder("{\"network-map\":{");
        for (int i = 0; i < 60; i++) {
            map.append(i == 0 ? "" : ",").append("\"P").append(i).append("\":{\"ipv4\":[\"10.9.").append(i).append(".0/24\"]}");
        }
        Representation identity = origin.sign(res, json(map.append("}}").toString()), false, T0, VALIDITY, MAX_AGE);
        Variant early = origin.sign(res, Gzip.deterministic(identity.identity().body()), false, GZIP_SIGNED, VALIDITY,
                MAX_AGE).identity();
        List<HeaderField> fields = new ArrayList<>(early.headers());
        fields.add(1, new HeaderField("content-encoding", "gzip"));
        return new Representation(identity.identity(), new Variant(early.body(), "gzip", fields), MAX_AGE,
                identity.created(), identity.expires());
    }

    private static Bytes json(String text) {
        return Bytes.wrap(Jcs.canonicalize(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertVerifiedIdentity(HttpResponse<byte[]> r, ResponseVerifier verifier, Representation paired,
                                               String from) {
        assertEquals(200, r.statusCode(), from + ": " + new String(r.body(), StandardCharsets.UTF_8));
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), Expectation.path(MAP));
        assertEquals(Verdict.Outcome.VALID, v.outcome(), from + ": " + v.reason());
        assertTrue(r.headers().firstValue("content-encoding").isEmpty(), from + ": the identity variant");
        assertEquals(paired.identity().body(), Bytes.wrap(r.body()), from);
    }
}
