package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.Jwk;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;

/** A verifier over a {@link TrustedKeys} follows what the set learns: next keys in, retired keys out, anchors kept. */
class TrustedKeysTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    private static final String PATH = "/directory";
    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

    private final SigningKey current = TestKeys.fresh(SignatureAlgorithm.ED25519);
    private final SigningKey next = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256);
    private final TrustedKeys keys = new TrustedKeys(List.of(current.publicKey()));
    private final ResponseVerifier verifier = new ResponseVerifier(keys, Clock.fixed(NOW, ZoneOffset.UTC));

    private Outcome verify(SigningKey by) {
        String digest = ContentDigest.sha256(BODY);
        String resource = AltoResource.of("directory", PATH).toHeader();
        SignatureHeaders s = new ResponseSigner(by).sign("application/alto-directory+json", digest, "\"e\"", resource,
                NOW, NOW.plusSeconds(60));
        Map<String, String> h = Map.of("content-type", "application/alto-directory+json", "content-digest", digest,
                "etag", "\"e\"", "alto-resource", resource, "signature-input", s.signatureInput(),
                "signature", s.signature());
        return verifier.verify(h::get, BODY, Expectation.path(PATH)).outcome();
    }

    @Test
    void aKeyTheDirectoryListsIsTrustedOnceLearnt() {
        assertEquals(Outcome.UNKNOWN_KEY, verify(next));
        assertTrue(keys.learn(List.of(current.publicKey().jwk(), next.publicKey().jwk())));
        assertEquals(Outcome.VALID, verify(next));
        assertEquals(Set.of(current.publicKey().keyId(), next.publicKey().keyId()), keys.keyIds());
    }

    @Test
    void aKeyNoLongerListedIsNoLongerTrustedButAnAnchorAlwaysIs() {
        keys.learn(List.of(next.publicKey().jwk()));
        assertTrue(keys.learn(List.of()));
        assertEquals(Outcome.UNKNOWN_KEY, verify(next));
        assertEquals(Outcome.VALID, verify(current), "the configured key stays, whatever a directory lists");
    }

    @Test
    void aKeySetNamingOneKidTwiceIsRefusedWholeWhicheverComesFirst() {
        Jwk genuine = next.publicKey().jwk();
        Jwk other = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256).publicKey().jwk();
        Jwk forged = new Jwk(other.kty(), other.crv(), other.x(), other.y(), genuine.kid(), other.alg());
        for (List<Jwk> set : List.of(List.of(forged, genuine), List.of(genuine, forged), List.of(genuine, genuine))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keys.learn(set));
            assertTrue(e.getMessage().contains(genuine.kid()), e.getMessage());
            assertEquals(Set.of(current.publicKey().keyId()), keys.keyIds(), "nothing learnt from " + set);
            assertEquals(Outcome.UNKNOWN_KEY, verify(next));
        }
    }

    @Test
    void learningTheSameKeysAgainChangesNothingAndUnusableKeysAreSkipped() {
        String otherKid = TestKeys.fresh(SignatureAlgorithm.ED25519).publicKey().keyId();
        Jwk forged = new Jwk("OKP", "Ed25519", next.publicKey().jwk().x(), null, otherKid, "ed25519");
        assertFalse(keys.learn(List.of(current.publicKey().jwk(), forged)), "a kid that is not its key's thumbprint");
        assertTrue(keys.learn(List.of(next.publicKey().jwk())));
        assertFalse(keys.learn(List.of(next.publicKey().jwk())));
        assertEquals(Outcome.VALID, verify(current));
    }
}
