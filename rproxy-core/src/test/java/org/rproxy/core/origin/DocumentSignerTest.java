package org.rproxy.core.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** Entity tags per signing: a re-signed document is a new representation to every cache. */
class DocumentSignerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
    private final DocumentSigner signer = new DocumentSigner(new ResponseSigner(key), Duration.ofHours(1),
            Duration.ofSeconds(60));
    private final PreparedDocument doc = PreparedDocument.of(AltoResource.of("m", "/networkmap/m"),
            "application/alto-networkmap+json", Bytes.utf8("{\"x\":\"" + "a".repeat(4000) + "\"}"));

    @Test
    void reSigningTheSameBytesGivesNewEntityTagsAndTheSameDigests() {
        Representation first = signer.sign(doc, T0);
        Representation second = signer.sign(doc, T0.plusSeconds(1800));
        assertEquals(first.identity().header("content-digest"), second.identity().header("content-digest"));
        assertEquals(first.gzip().header("content-digest"), second.gzip().header("content-digest"));
        assertNotEquals(first.identity().etag(), second.identity().etag());
        assertNotEquals(first.gzip().etag(), second.gzip().etag());
        assertNotEquals(first.identity().etag(), first.gzip().etag());
    }

    @Test
    void signingAgainWithinTheSameSecondGivesTheSameFields() {
        Representation a = signer.sign(doc, T0);
        Representation b = signer.sign(doc, T0.plusMillis(400));
        assertEquals(a.identity().headers(), b.identity().headers());
        assertEquals(a.gzip().headers(), b.gzip().headers());
    }

    @Test
    void theTagIsCoveredByTheSignatureAndEachVariantVerifies() {
        Representation r = signer.sign(doc, T0);
        ResponseVerifier verifier = new ResponseVerifier(List.of(key.publicKey()),
                Clock.fixed(T0.plusSeconds(5), ZoneOffset.UTC));
        for (Variant v : List.of(r.identity(), r.gzip())) {
            assertTrue(v.etag().matches("\"[A-Za-z0-9_-]{22}\""), v.etag());
            assertTrue(verifier.verify(name -> v.header(name).orElse(null), v.body().unsafeArray(),
                    ResponseVerifier.Expectation.path("/networkmap/m")).valid(), v.etag());
        }
        List<HeaderField> h = r.identity().headers();
        assertTrue(h.stream().anyMatch(f -> f.name().equals("signature-input") && f.value().contains("\"etag\"")));
    }
}
