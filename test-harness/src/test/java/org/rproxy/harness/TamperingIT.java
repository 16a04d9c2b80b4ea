package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * A hostile upstream: the proxy holds a good copy; the upstream then serves a new
 * version tampered in one way. Each answer is refused, counted under its reason in
 * {@code rproxy_verification_failures_total}, and the good copy is still what clients get.
 */
class TamperingIT extends ControlledProxyTest {
    static final String MAP = "/networkmap/default-network-map";
    static final String V1 = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]}}}";
    static final String V2 = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/16\"]},\"PID2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    static final Duration VALIDITY = Duration.ofHours(1);

    /** One way of spoiling the next version, and the reason the verifier must give. */
    enum Tampering {
        CHANGED_BODY_BYTE("digest_mismatch"),
        SIGNED_BY_ANOTHER_KEY("unknown_key"),
        SIGNATURE_OF_OTHER_BYTES("bad_signature"),
        ANOTHER_RESOURCES_DOCUMENT("wrong_resource"),
        EXPIRED_SIGNATURE("expired"),
        OLDER_THAN_HELD("rollback"),
        SIGNATURE_STRIPPED("no_signature"),
        FORGED_304("bad_signature");

        final String reason;

        Tampering(String reason) {
            this.reason = reason;
        }
    }

    @ParameterizedTest
    @EnumSource(Tampering.class)
    void eachTamperingIsRefusedCountedAndTheGoodCopyStillServed(Tampering tampering) throws Exception {
        Instant t0 = clock.instant();
        Representation older = signer.sign(MAP, V2, false, t0.minusSeconds(600), VALIDITY, 60);
        Representation good = signer.sign(MAP, V1, false, t0, VALIDITY, 60);
        upstream.docs.put(MAP, good);
        HttpResponse<byte[]> first = Proxies.get(proxy.baseUri() + MAP);
        assertArrayEquals(good.identity().body().toArray(), first.body());

        clock.advance(Duration.ofSeconds(90));
        upstream.docs.put(MAP, spoiled(tampering, older));
        HttpResponse<byte[]> stale = Proxies.get(proxy.baseUri() + MAP);
        assertArrayEquals(good.identity().body().toArray(), stale.body(), "served while revalidating");
        assertTrue(Proxies.await(() -> Proxies.count(proxy.registry(), "rproxy.verification.failures",
                "reason", tampering.reason) >= 1, 5), tampering + " not counted as " + tampering.reason);

        clock.advance(Duration.ofSeconds(2));
        HttpResponse<byte[]> after = Proxies.get(proxy.baseUri() + MAP);
        assertEquals(200, after.statusCode());
        assertArrayEquals(good.identity().body().toArray(), after.body());
        assertEquals(good.identity().header("signature").orElseThrow(), after.headers().firstValue("signature").orElseThrow());
        Verdict v = verifier.verify(n -> after.headers().firstValue(n).orElse(null), after.body(), new Expectation(MAP, null));
        assertTrue(v.valid(), v.toString());
        assertNull(independent.check(n -> after.headers().firstValue(n).orElse(null), after.body()));
        // Every retry is refused and counted again, always for the same reason. (The request above may
        // have started another background revalidation, so the totals can still move: compare reasons,
        // not two readings of the counts.)
        List<String> reasons = proxy.registry().find("rproxy.verification.failures").counters().stream()
                .filter(c -> c.count() > 0).map(c -> c.getId().getTag("reason")).distinct().sorted().toList();
        assertEquals(List.of(tampering.reason), reasons, "only " + tampering.name().toLowerCase(Locale.ROOT));
    }

    /** The next version as a hostile upstream serves it. */
    private Representation spoiled(Tampering how, Representation older) {
        Instant now = clock.instant();
        Representation next = signer.sign(MAP, V2, false, now, VALIDITY, 60);
        return switch (how) {
            case CHANGED_BODY_BYTE -> withIdentity(next, v -> {
                byte[] b = v.body().toArray();
                b[b.length / 2] ^= 1;
                return new Variant(Bytes.wrap(b), null, v.headers());
            });
            case SIGNED_BY_ANOTHER_KEY -> new TestSigner().sign(MAP, V2, false, now, VALIDITY, 60);
            case SIGNATURE_OF_OTHER_BYTES -> withIdentity(next, v -> replace(v, "signature",
                    signer.sign(MAP, "{}", false, now, VALIDITY, 60).identity().header("signature").orElseThrow()));
            case ANOTHER_RESOURCES_DOCUMENT -> signer.sign(MAP, "/networkmap/other-map", V2, false, now, VALIDITY, 60);
            case EXPIRED_SIGNATURE -> signer.sign(MAP, V2, false, now.minus(Duration.ofHours(2)), VALIDITY, 60);
            case OLDER_THAN_HELD -> older;
            case SIGNATURE_STRIPPED -> withIdentity(next, v -> new Variant(v.body(), null,
                    v.headers().stream().filter(h -> !h.name().startsWith("signature")).toList()));
            case FORGED_304 -> withIdentity(signer.sign(MAP, V1, false, now, VALIDITY, 60), v -> replace(v, "signature",
                    signer.sign(MAP, "{}", false, now, VALIDITY, 60).identity().header("signature").orElseThrow()));
        };
    }

    private static Representation withIdentity(Representation r, UnaryOperator<Variant> change) {
        return new Representation(change.apply(r.identity()), null, r.maxAgeSeconds(), r.created(), r.expires());
    }

    private static Variant replace(Variant v, String name, String value) {
        List<HeaderField> h = new ArrayList<>();
        for (HeaderField f : v.headers()) {
            h.add(f.name().equals(name) ? new HeaderField(name, value) : f);
        }
        return new Variant(v.body(), v.contentEncoding(), h);
    }
}
