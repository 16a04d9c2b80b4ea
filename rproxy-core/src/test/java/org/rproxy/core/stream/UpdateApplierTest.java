package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;

/** What a push subscriber accepts: the same rules as pull, applied to the bytes it rebuilds. */
class UpdateApplierTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String CM = "/costmap/rc";
    private final UpdateApplier applier = new UpdateApplier(new ResponseVerifier(
            List.of(keyOf()), Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC)));

    private static org.rproxy.core.sign.VerificationKey keyOf() {
        return SignedCostMaps.KEY.publicKey();
    }

    private static Bytes patchTo(int cost) {
        return Bytes.utf8("{\"cost-map\":{\"PID1\":{\"PID2\":" + cost + "}}}");
    }

    @Test
    void aPatchRebuildsTheSignedBytes() {
        Representation held = SignedCostMaps.costMap(5, T0);
        Representation next = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        UpdateApplier.Result r = applier.apply(CM, held, new UpdateApplier.Data(true, patchTo(6)),
                SignatureEvent.of(next));
        UpdateApplier.Result.Applied ok = assertInstanceOf(UpdateApplier.Result.Applied.class, r);
        assertEquals(next.identity().body(), ok.representation().identity().body());
        assertTrue(ok.newBytes());
        assertEquals(next.created(), ok.representation().created());
    }

    @Test
    void eachVariantOfAnUpdateAppliedHasItsSignatureCheckedOnce() {
        // The identity's signed fields are checked before the patch is applied; the rebuilt body
        // is then checked against their digest, not the signature again. The gzip variant has a
        // signature of its own: one check each.
        ResponseVerifier verifier = new ResponseVerifier(List.of(keyOf()), Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC));
        Representation held = SignedCostMaps.costMap(5, T0);
        Representation next = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        UpdateApplier.Result patched = new UpdateApplier(verifier).apply(CM, held,
                new UpdateApplier.Data(true, patchTo(6)), SignatureEvent.of(next));
        assertInstanceOf(UpdateApplier.Result.Applied.class, patched);
        assertEquals(1, verifier.signatureChecks(), "a patch, identity only");

        SignatureEvent both = new SignatureEvent(SignatureEvent.of(next).identity(),
                SignedCostMaps.gzipFields(next.identity().body(), T0.plusSeconds(1)), 60);
        UpdateApplier.Result full = new UpdateApplier(verifier).apply(CM, held,
                new UpdateApplier.Data(false, next.identity().body()), both);
        assertInstanceOf(UpdateApplier.Result.Applied.class, full);
        assertEquals(3, verifier.signatureChecks(), "then a full body with its gzip variant: one check each");
    }

    @Test
    void aPatchThatIsNotJsonIsRejectedSayingWhereInOurWords() {
        Representation held = SignedCostMaps.costMap(5, T0);
        Representation next = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        UpdateApplier.Result r = applier.apply(CM, held,
                new UpdateApplier.Data(true, Bytes.utf8("{\"cost-map\":\n {\"PID1\": {\"PID2\": 6}")),
                SignatureEvent.of(next));
        String reason = assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason();
        assertTrue(reason.startsWith("cannot rebuild the body: malformed JSON at line 2, column "), reason);
        assertFalse(reason.contains("Source"), reason);
    }

    @Test
    void aTamperedPatchIsRejected() {
        Representation held = SignedCostMaps.costMap(5, T0);
        Representation next = SignedCostMaps.costMap(6, T0.plusSeconds(1));
        UpdateApplier.Result r = applier.apply(CM, held, new UpdateApplier.Data(true, patchTo(7)),
                SignatureEvent.of(next));
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("DIGEST_MISMATCH"));
    }

    @Test
    void theGzipVariantRelabelledAsIdentityIsRejected() {
        // A hostile upstream sends the gzip variant's signed fields (content-encoding: gzip, which
        // no signature covers) as the identity variant's, and the gzip bytes as the full body.
        Representation real = SignedCostMaps.costMap(5, T0);
        Bytes gz = org.rproxy.core.codec.Gzip.deterministic(real.identity().body());
        SignatureEvent relabelled = new SignatureEvent(SignedCostMaps.gzipFields(real.identity().body(), T0), null, 60);
        UpdateApplier.Result r = applier.apply(CM, null, new UpdateApplier.Data(false, gz), relabelled);
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("CODING_MISMATCH"),
                r.toString());
    }

    @Test
    void theGzipVariantIsRebuiltAndKeptWithItsCoding() {
        Representation real = SignedCostMaps.costMap(5, T0);
        SignatureEvent both = new SignatureEvent(SignatureEvent.of(real).identity(),
                SignedCostMaps.gzipFields(real.identity().body(), T0), 60);
        UpdateApplier.Result r = applier.apply(CM, null, new UpdateApplier.Data(false, real.identity().body()), both);
        Representation held = assertInstanceOf(UpdateApplier.Result.Applied.class, r).representation();
        assertEquals(real.identity().body(), held.identity().body());
        assertEquals(null, held.identity().contentEncoding());
        assertEquals("gzip", held.gzip().contentEncoding());
        assertEquals(org.rproxy.core.codec.Gzip.deterministic(real.identity().body()), held.gzip().body());
    }

    @Test
    void aGzipVariantWhoseSignatureRunsOutBeforeTheIdentitysIsLeftOut() {
        // An upstream pairs the identity's fresh signature with an older signing of the same gzip
        // bytes: valid now (30 s after T0), but it runs out 50 minutes before the identity's.
        Representation real = SignedCostMaps.costMap(5, T0);
        SignatureEvent paired = new SignatureEvent(SignatureEvent.of(real).identity(),
                SignedCostMaps.gzipFields(real.identity().body(), T0.minus(Duration.ofMinutes(50))), 60);
        UpdateApplier.Result r = applier.apply(CM, null, new UpdateApplier.Data(false, real.identity().body()), paired);
        Representation held = assertInstanceOf(UpdateApplier.Result.Applied.class, r).representation();
        assertNull(held.gzip(), "a gzip variant that would be served past its own signature's expires");
        assertEquals(real.expires(), held.expires());
        assertEquals(real.identity().body(), held.select(true).body(), "gzip clients get the identity variant");
    }

    @Test
    void aGzipVariantSignedAfterTheIdentityIsKept() {
        // it runs out ten seconds after the identity: valid for as long as the representation is
        Representation real = SignedCostMaps.costMap(5, T0);
        SignatureEvent paired = new SignatureEvent(SignatureEvent.of(real).identity(),
                SignedCostMaps.gzipFields(real.identity().body(), T0.plusSeconds(10)), 60);
        UpdateApplier.Result r = applier.apply(CM, null, new UpdateApplier.Data(false, real.identity().body()), paired);
        Representation held = assertInstanceOf(UpdateApplier.Result.Applied.class, r).representation();
        assertEquals("gzip", held.gzip().contentEncoding());
        assertEquals(real.expires(), held.expires(), "the representation's validity is still the identity's");
    }

    @Test
    void anOlderVersionIsRejectedAsARollback() {
        Representation held = SignedCostMaps.costMap(6, T0.plusSeconds(2));
        Representation old = SignedCostMaps.costMap(5, T0);
        UpdateApplier.Result r = applier.apply(CM, held, new UpdateApplier.Data(false, old.identity().body()),
                SignatureEvent.of(old));
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("ROLLBACK"));
    }

    /**
     * The origin's clock was stepped back: its next signing is older than the version held. It is
     * refused as a rollback while the version held is valid (a replay of the past looks the same),
     * and taken once that version has expired by the verifier's clock: an expired version held
     * stood in the way of every later signing, so a push proxy followed nothing until restarted.
     */
    @Test
    void anOlderVersionIsRefusedWhileTheHeldOneIsValidAndTakenOnceItHasExpired() {
        MutableClock clock = new MutableClock(T0.plusSeconds(30));
        UpdateApplier applier = new UpdateApplier(new ResponseVerifier(List.of(keyOf()), clock));
        Representation held = SignedCostMaps.costMap(6, T0); // valid for an hour
        Representation stepped = SignedCostMaps.costMap(5, T0.minus(Duration.ofMinutes(30)), Duration.ofDays(1));
        UpdateApplier.Data data = new UpdateApplier.Data(false, stepped.identity().body());

        UpdateApplier.Result r = applier.apply(CM, held, data, SignatureEvent.of(stepped));
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("ROLLBACK"),
                r.toString());
        clock.advance(Duration.ofMinutes(59).plusSeconds(29)); // a second before the held one expires
        r = applier.apply(CM, held, data, SignatureEvent.of(stepped));
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("ROLLBACK"),
                r.toString());

        clock.advance(Duration.ofSeconds(1)); // T0 + 1 h: the held one's expires
        r = applier.apply(CM, held, data, SignatureEvent.of(stepped));
        UpdateApplier.Result.Applied ok = assertInstanceOf(UpdateApplier.Result.Applied.class, r);
        assertEquals(stepped.created(), ok.representation().created());
        assertEquals(stepped.identity().body(), ok.representation().identity().body());
    }

    @Test
    void aSignatureForAnotherDocumentIsRejected() {
        Representation held = SignedCostMaps.costMap(5, T0);
        UpdateApplier.Result r = applier.apply("/costmap/other", null,
                new UpdateApplier.Data(false, held.identity().body()), SignatureEvent.of(held));
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("WRONG_RESOURCE"));
    }

    @Test
    void aRenewalKeepsTheBytesAndTakesTheNewSignature() {
        Representation held = SignedCostMaps.costMap(5, T0);
        Representation renewed = SignedCostMaps.costMap(5, T0.plusSeconds(10));
        UpdateApplier.Result.Applied ok = assertInstanceOf(UpdateApplier.Result.Applied.class,
                applier.apply(CM, held, null, SignatureEvent.of(renewed)));
        assertEquals(held.identity().body(), ok.representation().identity().body());
        assertEquals(T0.plusSeconds(10), ok.representation().created());
        assertTrue(!ok.newBytes());
    }

    @Test
    void aRenewalForANothingHeldIsRejected() {
        assertInstanceOf(UpdateApplier.Result.Rejected.class,
                applier.apply(CM, null, null, SignatureEvent.of(SignedCostMaps.costMap(5, T0))));
    }

    /**
     * The signature event of the version held, sent again (after an empty merge patch, or alone):
     * nothing to rebuild, verify or store, whatever data came with it.
     */
    @Test
    void theSignatureEventOfTheVersionHeldIsARepeat() {
        Representation held = heldWithGzip(5, T0);
        SignatureEvent same = SignatureEvent.of(held);
        assertInstanceOf(UpdateApplier.Result.Repeated.class,
                applier.apply(CM, held, new UpdateApplier.Data(true, Bytes.utf8("{}")), same));
        assertInstanceOf(UpdateApplier.Result.Repeated.class, applier.apply(CM, held, null, same));
        assertInstanceOf(UpdateApplier.Result.Repeated.class,
                applier.apply(CM, held, new UpdateApplier.Data(true, Bytes.utf8("not json")), same));
        // max-age is not signed: a repeat that changes it is a repeat all the same
        assertInstanceOf(UpdateApplier.Result.Repeated.class,
                applier.apply(CM, held, null, new SignatureEvent(same.identity(), null, 5)));
    }

    /**
     * The signed fields are checked before anything is rebuilt: an older version, or one whose
     * signature does not verify, is refused for that, and its patch is never applied (one that is
     * not JSON is not even noticed).
     */
    @Test
    void anOlderOrForgedSignatureIsRefusedBeforeThePatchIsApplied() {
        Representation held = SignedCostMaps.costMap(6, T0.plusSeconds(2));
        Representation old = SignedCostMaps.costMap(5, T0);
        UpdateApplier.Result r = applier.apply(CM, held, new UpdateApplier.Data(true, Bytes.utf8("not json")),
                SignatureEvent.of(old));
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("ROLLBACK"), r.toString());

        List<org.rproxy.core.store.HeaderField> forged = new java.util.ArrayList<>();
        for (org.rproxy.core.store.HeaderField f : SignatureEvent.of(SignedCostMaps.costMap(7, T0.plusSeconds(3))).identity()) {
            forged.add(f.name().equals("etag") ? new org.rproxy.core.store.HeaderField("etag", "\"forged\"") : f);
        }
        r = applier.apply(CM, held, new UpdateApplier.Data(true, Bytes.utf8("not json")), new SignatureEvent(forged, null, 60));
        assertTrue(assertInstanceOf(UpdateApplier.Result.Rejected.class, r).reason().startsWith("BAD_SIGNATURE"), r.toString());
    }

    /**
     * A new signing of the bytes held (same content digest), whether it comes alone or after a
     * merge patch: the held bytes are taken as they are, not rebuilt, and the held gzip variant's
     * bytes are kept, verified with the new gzip signature, instead of being compressed again.
     */
    @Test
    void aRenewalOfTheBytesHeldReusesTheHeldBodyAndGzipBytes() {
        Representation held = heldWithGzip(5, T0);
        Representation renewed = SignedCostMaps.costMap(5, T0.plusSeconds(10));
        SignatureEvent sig = new SignatureEvent(SignatureEvent.of(renewed).identity(),
                SignedCostMaps.gzipFields(held.identity().body(), T0.plusSeconds(10)), 60);
        for (UpdateApplier.Data d : java.util.Arrays.asList(null, new UpdateApplier.Data(true, Bytes.utf8("{}")))) {
            UpdateApplier.Result.Applied ok = assertInstanceOf(UpdateApplier.Result.Applied.class,
                    applier.apply(CM, held, d, sig));
            assertTrue(ok.representation().identity().body() == held.identity().body(), "the held body itself");
            assertTrue(ok.representation().gzip().body() == held.gzip().body(), "the held gzip bytes themselves");
            assertEquals(T0.plusSeconds(10), ok.representation().created());
            assertEquals(renewed.identity().header("signature"), ok.representation().identity().header("signature"));
            assertTrue(!ok.newBytes());
        }
        UpdateApplier.Result r = applier.apply(CM, held, new UpdateApplier.Data(true, Bytes.utf8("not json")), sig);
        assertInstanceOf(UpdateApplier.Result.Rejected.class, r);
    }

    private Representation heldWithGzip(int cost, Instant created) {
        Representation real = SignedCostMaps.costMap(cost, created);
        SignatureEvent both = new SignatureEvent(SignatureEvent.of(real).identity(),
                SignedCostMaps.gzipFields(real.identity().body(), created), 60);
        return assertInstanceOf(UpdateApplier.Result.Applied.class,
                applier.apply(CM, null, new UpdateApplier.Data(false, real.identity().body()), both)).representation();
    }
}
