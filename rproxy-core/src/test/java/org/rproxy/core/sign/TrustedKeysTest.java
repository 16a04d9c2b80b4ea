package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

import org.rproxy.core.model.Bytes;
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
        assertTrue(learn(List.of(current.publicKey().jwk(), next.publicKey().jwk()), NOW));
        assertEquals(Outcome.VALID, verify(next));
        assertEquals(Set.of(current.publicKey().keyId(), next.publicKey().keyId()), keys.keyIds());
    }

    @Test
    void aKeyNoLongerListedIsNoLongerTrustedButAnAnchorAlwaysIs() {
        learn(List.of(next.publicKey().jwk()), NOW);
        assertTrue(learn(List.of(), NOW.plusSeconds(1)));
        assertEquals(Outcome.UNKNOWN_KEY, verify(next));
        assertEquals(Outcome.VALID, verify(current), "the configured key stays, whatever a directory lists");
    }

    @Test
    void aKeySetNamingOneKidTwiceIsRefusedWholeWhicheverComesFirst() {
        Jwk genuine = next.publicKey().jwk();
        Jwk other = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256).publicKey().jwk();
        Jwk forged = new Jwk(other.kty(), other.crv(), other.x(), other.y(), genuine.kid(), other.alg());
        for (List<Jwk> set : List.of(List.of(forged, genuine), List.of(genuine, forged), List.of(genuine, genuine))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> learn(set, NOW));
            assertTrue(e.getMessage().contains(genuine.kid()), e.getMessage());
            assertEquals(Set.of(current.publicKey().keyId()), keys.keyIds(), "nothing learnt from " + set);
            assertEquals(Outcome.UNKNOWN_KEY, verify(next));
            assertNull(keys.learntFrom(), "no directory learnt from");
        }
    }

    @Test
    void learningTheSameKeysAgainChangesNothingAndUnusableKeysAreSkipped() {
        String otherKid = TestKeys.fresh(SignatureAlgorithm.ED25519).publicKey().keyId();
        Jwk forged = new Jwk("OKP", "Ed25519", next.publicKey().jwk().x(), null, otherKid, "ed25519");
        assertFalse(learn(List.of(current.publicKey().jwk(), forged), NOW), "a kid that is not its key's thumbprint");
        assertTrue(learn(List.of(next.publicKey().jwk()), NOW));
        assertFalse(learn(List.of(next.publicKey().jwk()), NOW));
        assertEquals(Outcome.VALID, verify(current));
    }

    @Test
    void anOlderDirectoryLearntAfterANewerOneTeachesNothing() {
        SigningKey retired = TestKeys.fresh(SignatureAlgorithm.ED25519);
        // two threads checked two versions at once, and the older one's came last
        assertTrue(learn(List.of(current.publicKey().jwk(), next.publicKey().jwk()), NOW.plusSeconds(60)));
        assertFalse(learn(List.of(retired.publicKey().jwk()), NOW), "the older directory teaches nothing");
        assertEquals(Set.of(current.publicKey().keyId(), next.publicKey().keyId()), keys.keyIds(), "the newer one's keys");
        assertEquals(NOW.plusSeconds(60), keys.learntFrom());
        assertEquals(Outcome.VALID, verify(next));
        assertEquals(Outcome.UNKNOWN_KEY, verify(retired), "the retired key is not trusted again");
        // its bytes, as the feeds and the client hand them, teach nothing either
        assertFalse(learnFrom(directory(retired), NOW.plusSeconds(59)));
        assertEquals(Set.of(current.publicKey().keyId(), next.publicKey().keyId()), keys.keyIds());
        // the same directory again changes nothing; a newer one teaches
        assertFalse(learn(List.of(current.publicKey().jwk(), next.publicKey().jwk()), NOW.plusSeconds(60)));
        assertTrue(learnFrom(directory(retired), NOW.plusSeconds(61)));
        assertEquals(Set.of(current.publicKey().keyId(), retired.publicKey().keyId()), keys.keyIds());
        assertEquals(NOW.plusSeconds(61), keys.learntFrom());
    }

    @Test
    void aDirectoryThatDoesNotReadMovesNothing() {
        assertTrue(learnFrom(directory(next), NOW));
        assertFalse(learnFrom(Bytes.wrap("{\"meta\":".getBytes(StandardCharsets.UTF_8)), NOW.plusSeconds(1)));
        assertEquals(NOW, keys.learntFrom(), "only a directory learnt from orders the next ones");
        assertEquals(Set.of(current.publicKey().keyId(), next.publicKey().keyId()), keys.keyIds());
    }

    /**
     * The newest directory learnt from binds only while its signature is valid: an origin whose
     * clock was stepped back by more than a validity signs every new directory older than it, and
     * a node that never restarts would otherwise never learn a key again. Until then the older
     * directories teach nothing (the race rule), from then on the next one verified does.
     */
    @Test
    void theNewestDirectoryOrdersTheNextOnesOnlyUntilItExpires() {
        SigningKey stepped = TestKeys.fresh(SignatureAlgorithm.ED25519);
        Instant ahead = NOW.plusSeconds(3_600);
        // learnt from a directory signed while the origin's clock was an hour ahead (valid 60 s)
        assertTrue(keys.learn(List.of(next.publicKey().jwk()), ahead, ahead.plusSeconds(60), NOW));
        // the origin's clock set right: its directories are an hour older than that one
        Instant created = NOW.plusSeconds(10);
        Instant lastValid = ahead.plusSeconds(59);
        assertFalse(keys.learnFrom(directory(stepped), created, created.plusSeconds(3_700), NOW.plusSeconds(10)));
        assertFalse(keys.learnFrom(directory(stepped), created, created.plusSeconds(3_700), lastValid),
                "the newest directory still binds while its signature is valid");
        assertEquals(Set.of(current.publicKey().keyId(), next.publicKey().keyId()), keys.keyIds());
        assertEquals(ahead, keys.learntFrom());
        // once it has expired, the next directory verified teaches, older or not, and orders the ones after it
        assertTrue(keys.learnFrom(directory(stepped), created, created.plusSeconds(3_700), ahead.plusSeconds(60)));
        assertEquals(Set.of(current.publicKey().keyId(), stepped.publicKey().keyId()), keys.keyIds());
        assertEquals(created, keys.learntFrom());
        assertFalse(learn(List.of(next.publicKey().jwk()), created.minusSeconds(1)), "older than the valid one learnt from");
        assertEquals(Outcome.VALID, verify(stepped));
        assertEquals(Outcome.UNKNOWN_KEY, verify(next));
    }

    /** {@link TrustedKeys#learn} at {@link #NOW}, the directory valid for a minute from {@code created}. */
    private boolean learn(List<Jwk> listed, Instant created) {
        return keys.learn(listed, created, created.plusSeconds(60), NOW);
    }

    /** {@link TrustedKeys#learnFrom} at {@link #NOW}, the directory valid for a minute from {@code created}. */
    private boolean learnFrom(Bytes directory, Instant created) {
        return keys.learnFrom(directory, created, created.plusSeconds(60), NOW);
    }

    /** The bytes of a directory listing {@code listed}'s key. */
    private static Bytes directory(SigningKey listed) {
        Jwk k = listed.publicKey().jwk();
        String body = "{\"meta\":{\"alto-redist\":{\"keys\":[{\"alg\":\"" + k.alg() + "\",\"crv\":\"" + k.crv()
                + "\",\"kid\":\"" + k.kid() + "\",\"kty\":\"" + k.kty() + "\",\"x\":\"" + k.x() + "\""
                + (k.y() == null ? "" : ",\"y\":\"" + k.y() + "\"") + "}]}},\"resources\":{}}";
        return Bytes.wrap(body.getBytes(StandardCharsets.UTF_8));
    }
}
