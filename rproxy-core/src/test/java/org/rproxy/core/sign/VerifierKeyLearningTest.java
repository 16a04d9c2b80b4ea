package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.sign.SignedDirectories.directory;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;

/**
 * What a {@link ResponseVerifier} hands out about its keys: their ids as a snapshot, and one way
 * to learn more, from a directory it verifies itself. It handed out the live {@link TrustedKeys},
 * whose {@code learn} takes its caller's word that the directory was verified: whoever held a
 * verifier (a pull proxy's, shared with the push half) could make every feed on it trust any key.
 */
class VerifierKeyLearningTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    private static final String DIRECTORY = SignedDirectories.DIRECTORY;
    private static final String MAP = "/networkmap/nm";

    private final SigningKey current = TestKeys.fresh(SignatureAlgorithm.ED25519);
    private final SigningKey next = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256);
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(current.publicKey()),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void noPublicMethodHandsOutTheKeySet() {
        for (Method m : ResponseVerifier.class.getMethods()) {
            assertNotEquals(TrustedKeys.class, m.getReturnType(),
                    m + ": whoever holds the verifier could make it trust any key");
        }
    }

    @Test
    void theKeyIdsGivenAreASnapshotNobodyCanChange() {
        Set<String> before = verifier.trustedKeyIds();
        assertEquals(Set.of(current.keyId()), before);
        assertThrows(UnsupportedOperationException.class, () -> before.add(next.keyId()));
        assertTrue(learn(current, DIRECTORY, directory(current, next)));
        assertEquals(Set.of(current.keyId()), before, "the snapshot taken before the learning");
        assertEquals(Set.of(current.keyId(), next.keyId()), verifier.trustedKeyIds());
    }

    @Test
    void aDirectoryItVerifiesTeachesTheKeysItLists() {
        assertEquals(Outcome.UNKNOWN_KEY, verify(next, MAP, "{}"));
        assertTrue(learn(current, DIRECTORY, directory(current, next)));
        assertEquals(Outcome.VALID, verify(next, MAP, "{}"));
        assertFalse(learn(current, DIRECTORY, directory(current, next)), "the same keys again change nothing");
    }

    @Test
    void aDirectoryItDoesNotVerifyTeachesNothing() {
        SigningKey stranger = TestKeys.fresh(SignatureAlgorithm.ED25519);
        assertFalse(learn(stranger, DIRECTORY, directory(stranger)), "signed by a key not trusted");
        assertFalse(learn(current, MAP, directory(current, next)), "signed by a trusted key, for another resource");
        Map<String, String> h = signed(current, DIRECTORY, directory(current));
        byte[] otherBody = directory(current, next).getBytes(StandardCharsets.UTF_8);
        assertFalse(verifier.learnKeys(h::get, otherBody, DIRECTORY), "bytes the signature does not cover");
        assertEquals(Set.of(current.keyId()), verifier.trustedKeyIds());
        assertEquals(Outcome.UNKNOWN_KEY, verify(stranger, MAP, "{}"));
        assertEquals(Outcome.UNKNOWN_KEY, verify(next, MAP, "{}"));
    }

    /**
     * A directory this verifier verified (the push feed's copy) teaches its keys without being
     * verified again; one another verifier made (on any key: anyone can make one) is verified
     * here first. Standalone push proxies checked every directory's signature twice.
     */
    @Test
    void aDirectoryItVerifiedAlreadyTeachesWithoutASecondCheck() {
        SigningKey stranger = TestKeys.fresh(SignatureAlgorithm.ED25519);
        ResponseVerifier strangers = new ResponseVerifier(List.of(stranger.publicKey()), verifier.clock());
        VerifiedRepresentation forged = copy(strangers, stranger, directory(stranger));
        assertFalse(verifier.learnKeys(forged, DIRECTORY), "verified by another verifier: checked here, and refused");
        assertEquals(Set.of(current.keyId()), verifier.trustedKeyIds());

        VerifiedRepresentation own = copy(verifier, current, directory(current, next));
        assertEquals(1, verifier.signatureChecks());
        assertFalse(verifier.learnKeys(own, MAP), "not verified as that resource: checked here, and refused");
        assertEquals(2, verifier.signatureChecks());
        assertTrue(verifier.learnKeys(own, DIRECTORY));
        assertEquals(2, verifier.signatureChecks(), "its own copy of the directory, not checked again");
        assertEquals(Set.of(current.keyId(), next.keyId()), verifier.trustedKeyIds());
    }

    private static VerifiedRepresentation copy(ResponseVerifier by, SigningKey key, String body) {
        Map<String, String> h = signed(key, DIRECTORY, body);
        List<org.rproxy.core.store.HeaderField> fields = h.entrySet().stream()
                .map(e -> new org.rproxy.core.store.HeaderField(e.getKey(), e.getValue())).toList();
        VerifiedRepresentation.Check c = VerifiedRepresentation.verify(by, DIRECTORY, new org.rproxy.core.store.Variant(
                org.rproxy.core.model.Bytes.utf8(body), null, fields), () -> null, 60, null);
        return ((VerifiedRepresentation.Verified) c).copy();
    }

    private boolean learn(SigningKey by, String path, String body) {
        return verifier.learnKeys(signed(by, path, body)::get, body.getBytes(StandardCharsets.UTF_8), DIRECTORY);
    }

    private Outcome verify(SigningKey by, String path, String body) {
        return verifier.verify(signed(by, path, body)::get, body.getBytes(StandardCharsets.UTF_8),
                Expectation.path(path)).outcome();
    }

    private static Map<String, String> signed(SigningKey by, String path, String body) {
        return SignedDirectories.signed(List.of(by), path, body, NOW, NOW.plusSeconds(60));
    }
}
