package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * The fields checked first, the body later: one signature check, and the verdict a verification
 * of the whole gives at that moment, word for word, whatever the body (the one signed, another,
 * gzip bytes) and however far the clock moved in between.
 */
class FieldsVerdictTest {
    private static final String MAP = "/networkmap/a";
    private static final Instant T0 = Instant.ofEpochSecond(1_800_000_000L);

    private final TestSigner signer = new TestSigner();
    private final MutableClock clock = new MutableClock(T0.plusSeconds(10));
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(signer.publicKey()), clock);
    private final ResponseVerifier whole = new ResponseVerifier(List.of(signer.publicKey()), clock);
    private final Variant signed = signer.sign(MAP, "{\"a\":1}", false, T0, Duration.ofHours(1), 60).identity();
    private final Function<String, String> fields = n -> signed.header(n).orElse(null);

    @Test
    void onlyTheVerifierMakesOne() {
        for (Constructor<?> c : FieldsVerdict.class.getDeclaredConstructors()) {
            assertTrue(Modifier.isPrivate(c.getModifiers()), c + ": a verdict paired with other fields");
        }
        assertTrue(Modifier.isFinal(FieldsVerdict.class.getModifiers()));
    }

    @Test
    void theBodyCheckedLaterGivesTheVerdictOfTheWholeWithOneSignatureCheck() {
        Expectation expect = new Expectation(MAP, T0.minusSeconds(5));
        FieldsVerdict f = FieldsVerdict.of(verifier, fields, expect);
        assertEquals(Outcome.VALID, f.verdict().outcome(), f.verdict().reason());
        List<byte[]> bodies = List.of(signed.body().toArray(), Bytes.utf8("{\"a\":2}").toArray(),
                TestSigner.gzip(signed.body()).toArray());
        List<Outcome> outcomes = List.of(Outcome.VALID, Outcome.DIGEST_MISMATCH, Outcome.DIGEST_MISMATCH);
        for (int i = 0; i < bodies.size(); i++) {
            Verdict later = f.withBody(bodies.get(i));
            assertEquals(outcomes.get(i), later.outcome(), later.reason());
            assertEquals(whole.verify(fields, bodies.get(i), expect), later, "body " + i);
        }
        assertEquals(1, verifier.signatureChecks(), "the fields' signature once, however many bodies");
    }

    @Test
    void aBodyOfAnotherCodingIsACodingMismatchAsInAWholeVerification() {
        Variant gz = signer.sign(MAP, "{\"a\":1}", true, T0, Duration.ofHours(1), 60).gzip();
        // the gzip variant's fields with its content-encoding dropped: the identity's check refuses its bytes
        Function<String, String> stripped = n -> n.equals("content-encoding") ? null : gz.header(n).orElse(null);
        Verdict later = FieldsVerdict.of(verifier, stripped, Expectation.path(MAP)).withBody(gz.body().toArray());
        assertEquals(Outcome.CODING_MISMATCH, later.outcome(), later.reason());
        assertEquals(whole.verify(stripped, gz.body().toArray(), Expectation.path(MAP)), later);
    }

    @Test
    void theTimesAreJudgedAgainAtTheClockOfTheBody() {
        FieldsVerdict f = FieldsVerdict.of(verifier, fields, Expectation.path(MAP));
        clock.advance(Duration.ofHours(2));
        Verdict later = f.withBody(signed.body().toArray());
        assertEquals(Outcome.EXPIRED, later.outcome(), later.reason());
        assertEquals(whole.verify(fields, signed.body().toArray(), Expectation.path(MAP)), later);

        FieldsVerdict g = FieldsVerdict.of(verifier, fields, Expectation.path(MAP));
        assertEquals(Outcome.EXPIRED, g.verdict().outcome());
        assertThrows(IllegalStateException.class, () -> g.withBody(signed.body().toArray()),
                "a whole verification might have failed on the body first");
    }
}
