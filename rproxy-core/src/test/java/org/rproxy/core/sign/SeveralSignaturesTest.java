package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.sign.SignedDirectories.directory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;

/**
 * A response carrying several ALTO signatures (the origin's directory during a key rotation,
 * signed by the current key as {@code alto} and by the other key as {@code alto-2}): a verifier
 * that trusts either key verifies it, with that key's signature alone, and learns the keys it
 * lists; a signature beside the one checked, by whatever key, widens nothing. Before, only the
 * {@code alto} signature was read, and a node that knew only the key before the switch refused
 * the directory as UNKNOWN_KEY for good.
 */
class SeveralSignaturesTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    private static final String DIRECTORY = SignedDirectories.DIRECTORY;
    private static final String MAP = "/networkmap/nm";

    private final SigningKey old = TestKeys.fresh(SignatureAlgorithm.ED25519);
    private final SigningKey next = TestKeys.fresh(SignatureAlgorithm.ECDSA_P256_SHA256);
    private final SigningKey stranger = TestKeys.fresh(SignatureAlgorithm.ED25519);

    @Test
    void theSignerLabelsTheFirstAltoAndTheOthersByPosition() {
        Map<String, String> h = signed(List.of(next, old), MAP, "{}", NOW.plusSeconds(60));
        assertTrue(h.get("signature-input").startsWith("alto=(") && h.get("signature-input").contains(", alto-2=("),
                h.get("signature-input"));
        assertTrue(h.get("signature-input").contains("keyid=\"" + old.keyId() + "\""), h.get("signature-input"));
        assertTrue(h.get("signature").startsWith("alto=:") && h.get("signature").contains(", alto-2=:"),
                h.get("signature"));
        assertThrows(IllegalArgumentException.class, () -> new ResponseSigner(List.of(old, old)));
        assertThrows(IllegalArgumentException.class, () -> new ResponseSigner(List.<SigningKey>of()));
    }

    /** The case the rotation needs: after the switch, a node that knows only the old key. */
    @Test
    void aNodeTrustingOnlyTheOldKeyVerifiesTheDirectorySignedByBothAndLearnsTheNext() {
        ResponseVerifier v = verifier(old);
        String body = directory(next, old);
        Map<String, String> h = signed(List.of(next, old), DIRECTORY, body, NOW.plusSeconds(60));
        Verdict verdict = v.verify(h::get, utf8(body), Expectation.path(DIRECTORY));
        assertEquals(Outcome.VALID, verdict.outcome(), verdict.toString());
        assertEquals(old.keyId(), verdict.keyId(), "the signature checked is the one by the key trusted");
        assertEquals(1, v.signatureChecks(), "one signature checked");

        assertEquals(Outcome.UNKNOWN_KEY, verify(v, List.of(next), MAP, "{}"), "not yet learnt");
        assertTrue(v.learnKeys(h::get, utf8(body), DIRECTORY));
        assertEquals(Set.of(old.keyId(), next.keyId()), v.trustedKeyIds());
        assertEquals(Outcome.VALID, verify(v, List.of(next), MAP, "{}"), "a document signed by the next key alone");
    }

    @Test
    void aNodeTrustingBothChecksTheAltoSignatureAndOneTrustingOnlyTheNextToo() {
        ResponseVerifier both = new ResponseVerifier(List.of(old.publicKey(), next.publicKey()), clock(NOW));
        String body = directory(next, old);
        Map<String, String> h = signed(List.of(next, old), DIRECTORY, body, NOW.plusSeconds(60));
        assertEquals(next.keyId(), both.verify(h::get, utf8(body), Expectation.path(DIRECTORY)).keyId());
        assertEquals(Outcome.VALID, verify(verifier(next), List.of(next, old), DIRECTORY, body));
        assertEquals(Outcome.VALID, verify(verifier(old), List.of(old, next), DIRECTORY, body), "before the switch");
    }

    @Test
    void aNodeTrustingNeitherIsRefusedAsBeforeNamingTheAltoSignaturesKey() {
        Map<String, String> h = signed(List.of(next, old), MAP, "{}", NOW.plusSeconds(60));
        Verdict v = verifier(stranger).verify(h::get, utf8("{}"), Expectation.path(MAP));
        assertEquals(Outcome.UNKNOWN_KEY, v.outcome());
        assertEquals(next.keyId(), v.keyId());
    }

    /** After step 3 the directory carries the new key's signature only: the old key verifies nothing. */
    @Test
    void aDirectorySignedByTheNewKeyAloneIsRefusedByANodeTrustingOnlyTheOld() {
        assertEquals(Outcome.UNKNOWN_KEY, verify(verifier(old), List.of(next), DIRECTORY, directory(next)));
        assertEquals(Outcome.VALID, verify(verifier(next), List.of(next), DIRECTORY, directory(next)));
    }

    /** An untrusted signature with a far later expiry beside the trusted one: the trusted one's times hold. */
    @Test
    void anUntrustedSignatureBesideTheTrustedOneWidensNothing() {
        Map<String, String> good = signed(List.of(old), MAP, "{}", NOW.plusSeconds(60));
        Map<String, String> wide = signed(List.of(stranger), MAP, "{}", NOW.plusSeconds(999_999));
        Map<String, String> h = new HashMap<>(good);
        h.put("signature-input", wide.get("signature-input") + ", alto-2=" + member(good.get("signature-input")));
        h.put("signature", wide.get("signature") + ", alto-2=" + member(good.get("signature")));
        Verdict v = verifier(old).verify(h::get, utf8("{}"), Expectation.path(MAP));
        assertEquals(Outcome.VALID, v.outcome(), v.toString());
        assertEquals(NOW.plusSeconds(60), v.expires(), "the window of the signature that verified");
        Verdict later = verifier(old, NOW.plusSeconds(61)).verify(h::get, utf8("{}"), Expectation.path(MAP));
        assertEquals(Outcome.EXPIRED, later.outcome(), "expired by the trusted signature, whatever the other says");
        assertNull(SignatureWindow.read(h::get), "two windows: none read without knowing which one verified");
    }

    /** The trusted signature's bytes under another label with its window widened: its base changed. */
    @Test
    void theTrustedSignatureMovedUnderAnotherLabelWithAWiderWindowIsRefused() {
        Map<String, String> good = signed(List.of(old), MAP, "{}", NOW.plusSeconds(60));
        Map<String, String> h = new HashMap<>(good);
        String widened = member(good.get("signature-input")).replaceFirst("expires=\\d+", "expires=99999999999");
        h.put("signature-input", "alto-2=" + widened);
        h.put("signature", "alto-2=" + member(good.get("signature")));
        assertEquals(Outcome.BAD_SIGNATURE, verifier(old).verify(h::get, utf8("{}"), Expectation.path(MAP)).outcome());
        h.put("signature-input", "alto-2=" + member(good.get("signature-input")));
        assertEquals(Outcome.VALID, verifier(old).verify(h::get, utf8("{}"), Expectation.path(MAP)).outcome(),
                "relabelled as it was: the same signing, nothing gained");
    }

    /** A forged signature naming the trusted key, beside a genuine one by a key not trusted: refused. */
    @Test
    void aForgedSignatureByTheTrustedKeyBesideAnUntrustedGenuineOneIsRefused() {
        Map<String, String> h = new HashMap<>(signed(List.of(stranger, old), MAP, "{}", NOW.plusSeconds(60)));
        String sig = h.get("signature");
        int at = sig.indexOf("alto-2=:") + "alto-2=:".length();
        h.put("signature", sig.substring(0, at) + (sig.charAt(at) == 'A' ? 'B' : 'A') + sig.substring(at + 1));
        assertEquals(Outcome.BAD_SIGNATURE, verifier(old).verify(h::get, utf8("{}"), Expectation.path(MAP)).outcome());
    }

    /** The signature picked must name only fields the response has, as the {@code alto} one must. */
    @Test
    void theSignaturePickedNamingAFieldTheResponseLacksIsMalformed() {
        Map<String, String> h = new HashMap<>(signed(List.of(next, old), MAP, "{}", NOW.plusSeconds(60)));
        String input = h.get("signature-input");
        int second = input.indexOf("alto-2=");
        h.put("signature-input", input.substring(0, second)
                + input.substring(second).replace("\"alto-resource\")", "\"alto-resource\" \"via\")"));
        Verdict v = verifier(old).verify(h::get, utf8("{}"), Expectation.path(MAP));
        assertEquals(Outcome.MALFORMED, v.outcome());
        assertTrue(v.reason().contains("\"via\" is missing from the response"), v.reason());
        assertEquals(Outcome.VALID, verifier(next).verify(h::get, utf8("{}"), Expectation.path(MAP)).outcome(),
                "a node checking the alto signature does not read the other");
    }

    /** Someone else's signature (another label than alto or alto-N) is not an ALTO signature. */
    @Test
    void aSignatureUnderAnotherLabelIsNotRead() {
        Map<String, String> mine = signed(List.of(old), MAP, "{}", NOW.plusSeconds(60));
        Map<String, String> theirs = signed(List.of(stranger), MAP, "{}", NOW.plusSeconds(60));
        Map<String, String> h = new HashMap<>(theirs);
        h.put("signature-input", theirs.get("signature-input") + ", sig1=" + member(mine.get("signature-input")));
        h.put("signature", theirs.get("signature") + ", sig1=" + member(mine.get("signature")));
        assertEquals(Outcome.UNKNOWN_KEY, verifier(old).verify(h::get, utf8("{}"), Expectation.path(MAP)).outcome());
        assertFalse(AltoSignatures.isAltoLabel("alto-"));
        assertFalse(AltoSignatures.isAltoLabel("alto-next"));
        assertTrue(AltoSignatures.isAltoLabel("alto-12"));
    }

    /** One signing is all its signatures: one added or dropped beside the other is another signing. */
    @Test
    void aSigningIsEverySignatureItCarries() {
        Map<String, String> both = signed(List.of(next, old), DIRECTORY, "{}", NOW.plusSeconds(60));
        Map<String, String> alone = new HashMap<>(both);
        alone.put("signature-input", both.get("signature-input").substring(0, both.get("signature-input").indexOf(", alto-2")));
        alone.put("signature", both.get("signature").substring(0, both.get("signature").indexOf(", alto-2")));
        assertEquals(2, ResponseVerifier.signedBases(both::get).size());
        assertEquals(ResponseVerifier.signedBases(both::get), ResponseVerifier.signedBases(new HashMap<>(both)::get));
        assertNotEquals(ResponseVerifier.signedBases(both::get), ResponseVerifier.signedBases(alone::get));
        assertEquals(new SignatureWindow(NOW, NOW.plusSeconds(60)), SignatureWindow.read(both::get),
                "the origin signs every signature with one window");
        Map<String, String> broken = new HashMap<>(both);
        broken.put("signature", both.get("signature").replace("alto-2=:", "alto-2=?0;x=:"));
        assertEquals(List.of(), ResponseVerifier.signedBases(broken::get), "a signature that does not parse: none");
    }

    private Outcome verify(ResponseVerifier v, List<SigningKey> by, String path, String body) {
        return v.verify(signed(by, path, body, NOW.plusSeconds(60))::get, utf8(body), Expectation.path(path)).outcome();
    }

    private static ResponseVerifier verifier(SigningKey trusted) {
        return verifier(trusted, NOW);
    }

    private static ResponseVerifier verifier(SigningKey trusted, Instant now) {
        return new ResponseVerifier(List.of(trusted.publicKey()), clock(now));
    }

    private static Clock clock(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    /** The member of a one-member dictionary: what follows its {@code alto=}. */
    private static String member(String field) {
        return field.substring(field.indexOf('=') + 1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> signed(List<SigningKey> by, String path, String body, Instant expires) {
        return SignedDirectories.signed(by, path, body, NOW, expires);
    }
}
