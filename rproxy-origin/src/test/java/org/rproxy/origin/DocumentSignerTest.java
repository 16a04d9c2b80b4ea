package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

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
    void aChangeToOneDocumentReSignsOnlyThatOne() {
        PreparedDocument other = PreparedDocument.of(AltoResource.of("o", "/networkmap/o"),
                "application/alto-networkmap+json", Bytes.utf8("{\"o\":1}"));
        PreparedDocument changed = PreparedDocument.of(AltoResource.of("o", "/networkmap/o"),
                "application/alto-networkmap+json", Bytes.utf8("{\"o\":2}"));
        Map<String, PreparedDocument> before = Map.of("/networkmap/m", doc, "/networkmap/o", other);
        Map<String, Representation> signedBefore = signer.signAll(before, T0);
        Map<String, PreparedDocument> after = Map.of("/networkmap/m", doc, "/networkmap/o", changed);
        Map<String, Representation> signedAfter = signer.signChanged(after, before, signedBefore, T0.plusSeconds(60));
        assertSame(signedBefore.get("/networkmap/m"), signedAfter.get("/networkmap/m"));
        assertEquals(T0.plusSeconds(60), signedAfter.get("/networkmap/o").created());
        assertNotEquals(signedBefore.get("/networkmap/o").identity().etag(), signedAfter.get("/networkmap/o").identity().etag());
    }

    @Test
    void anUnchangedDocumentWhoseSignatureRanOutIsSignedAgain() {
        Map<String, PreparedDocument> docs = Map.of("/networkmap/m", doc);
        Map<String, Representation> old = signer.signAll(docs, T0);
        Instant later = T0.plus(Duration.ofHours(1));
        assertEquals(later, signer.signChanged(docs, docs, old, later).get("/networkmap/m").created());
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
