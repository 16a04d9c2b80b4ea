package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.core.codec.Gzip;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.push.UpdatePublisher;

/**
 * {@code rproxy proxy --mode push} ({@link PushPullProxy}) verifies each update once: the push feed
 * verifies it and hands the pull half what it verified, which holds it without verifying it
 * again, and hands it on as verified (to the overlay publisher). Counted by the body digests
 * computed on the feed's thread ({@link DigestCount}), one per variant per version (before, the
 * pull half checked every variant again, two each, since it took a plain representation, which
 * anyone can make), and by the signatures the node's verifier checked, one per variant per
 * version (before, three for two variants: the identity's fields were checked before the patch
 * was applied, and then the whole again). Real loopback sockets; the test's clock.
 */
class PushedUpdateVerifiedOnceIT {
    private static final String MAP = "/networkmap/nm";
    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final Duration VALIDITY = Duration.ofHours(1);
    private static final String FEED_THREAD = "rproxy-push-feed";

    @TempDir
    Path dir;

    @Test
    void eachVariantOfEachPushedVersionIsVerifiedOnce() throws Exception {
        TestSigner origin = new TestSigner();
        Path pub = origin.writePublic(dir.resolve("origin.pub"));
        MutableClock clock = new MutableClock(T0.plusSeconds(10));
        Representation v1 = signed(origin, 40, T0);
        Representation v2 = signed(origin, 70, T0.plusSeconds(1));
        try (DigestCount digests = DigestCount.start();
             UpdatePublisher stream = new UpdatePublisher(PushTree.streamConfig());
             ControlledUpstream upstream = new ControlledUpstream(stream)) {
            upstream.servePushedMap(origin, T0, MAP, v1);
            ProxyConfig push = Proxies.config("push", upstream.baseUri(), pub).withMode(ProxyConfig.Mode.PUSH)
                    .withQueries(ProxyConfig.Queries.UPSTREAM);
            try (PushPullProxy proxy = PushPullProxy.start(push, clock)) {
                List<Instant> held = new CopyOnWriteArrayList<>();
                proxy.pull().addChangeListener((target, r) -> {
                    if (target.equals(MAP)) {
                        held.add(r.created());
                    }
                });
                List<VerifiedRepresentation> handedOn = new CopyOnWriteArrayList<>();
                proxy.pull().addVerifiedListener(copy -> {
                    if (copy.target().equals(MAP)) {
                        handedOn.add(copy);
                    }
                });
                PushTree.await(Duration.ofSeconds(10), "the first version held", () -> held.contains(T0));
                long before = proxy.pull().verifier().signatureChecks();
                stream.accept(MAP, v2);
                PushTree.await(Duration.ofSeconds(10), "the second version held", () -> held.contains(v2.created()));
                PushTree.await(Duration.ofSeconds(10), "the second version handed on as verified",
                        () -> handedOn.stream().anyMatch(c -> c.representation().created().equals(v2.created())));
                assertEquals(0, upstream.requests(MAP), "every version held came on the stream");
                assertEquals(2, proxy.pull().verifier().signatureChecks() - before,
                        "the second version's two signatures (identity, gzip) checked once each, by the push feed");
                VerifiedRepresentation second = handedOn.get(handedOn.size() - 1);
                assertTrue(second.verifiedBy(proxy.pull().verifier()),
                        "handed on (to the overlay publisher) as the push feed verified it");

                for (Representation v : List.of(v1, v2)) {
                    for (Variant variant : List.of(v.identity(), v.gzip())) {
                        assertEquals(1, digests.of(FEED_THREAD, variant.body().length()),
                                "the " + (variant.contentEncoding() == null ? "identity" : "gzip") + " variant of "
                                        + v.created() + " (" + variant.body().length() + " bytes) verified once: "
                                        + digests.all());
                    }
                }
            }
        }
    }

    /** A network map of {@code pids} PIDs signed at {@code created}, with a gzip variant the feed rebuilds alike. */
    private static Representation signed(TestSigner origin, int pids, Instant created) {
        AltoResource res = AltoResource.of("nm", MAP);
        StringBuilder map = new StringBuilder("{\"network-map\":{");
        for (int i = 0; i < pids; i++) {
            map.append(i == 0 ? "" : ",").append("\"P").append(i).append("\":{\"ipv4\":[\"10.9.").append(i).append(".0/24\"]}");
        }
        Bytes body = Bytes.wrap(Jcs.canonicalize(map.append("}}").toString().getBytes(StandardCharsets.UTF_8)));
        Representation identity = origin.sign(res, body, false, created, VALIDITY, 3600);
        Variant gz = origin.sign(res, Gzip.deterministic(body), false, created, VALIDITY, 3600).identity();
        List<HeaderField> fields = new ArrayList<>(gz.headers());
        fields.add(1, new HeaderField("content-encoding", "gzip"));
        return new Representation(identity.identity(), new Variant(gz.body(), "gzip", fields), 3600, created,
                identity.expires());
    }
}
