package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * A {@link Verdict} is made only by a verifier: no code outside this package can construct one,
 * and the public ways of core to obtain one are the verifier's and the bundle's, which verify,
 * and {@link Verdict#expiredAt}, which never vouches for anything.
 */
class VerdictTest {
    /** Every public method of core that gives a Verdict: each verifies, but expiredAt, which gives EXPIRED only. */
    private static final List<String> GIVERS = List.of(
            "org.rproxy.core.bundle.SignedBundle.verify(org.rproxy.core.sign.ResponseVerifier)",
            "org.rproxy.core.bundle.SignedBundle.verify(org.rproxy.core.sign.ResponseVerifier,java.lang.String)",
            "org.rproxy.core.sign.FieldsVerdict.verdict()",
            "org.rproxy.core.sign.FieldsVerdict.withBody(byte[])",
            "org.rproxy.core.sign.ResponseVerifier.verify(java.util.function.Function,byte[],"
                    + "org.rproxy.core.sign.ResponseVerifier$Expectation)",
            "org.rproxy.core.sign.ResponseVerifier.verifyFields(java.util.function.Function,"
                    + "org.rproxy.core.sign.ResponseVerifier$Expectation)",
            "org.rproxy.core.sign.Verdict.expiredAt(java.time.Instant)");

    @Test
    void noCodeElsewhereCanMakeAVerdict() {
        for (Constructor<?> c : Verdict.class.getDeclaredConstructors()) {
            int m = c.getModifiers();
            assertFalse(Modifier.isPublic(m) || Modifier.isProtected(m), c + ": anyone could make a VALID verdict");
        }
        assertTrue(Modifier.isFinal(Verdict.class.getModifiers()), "no subclass may stand in for a verdict");
        for (Method m : Verdict.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == Verdict.class) {
                assertFalse(Modifier.isPublic(m.getModifiers()), m + ": a public factory of verdicts");
            }
        }
    }

    @Test
    void everyPublicWayToAVerdictVerifies() throws Exception {
        List<String> found = new ArrayList<>();
        for (Class<?> type : CoreClasses.all()) {
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && m.getReturnType() == Verdict.class && !m.isSynthetic()) {
                    StringBuilder s = new StringBuilder(type.getName() + "." + m.getName() + "(");
                    Class<?>[] p = m.getParameterTypes();
                    for (int i = 0; i < p.length; i++) {
                        s.append(i == 0 ? "" : ",").append(p[i].getTypeName());
                    }
                    found.add(s.append(")").toString());
                }
            }
        }
        assertEquals(GIVERS.stream().sorted().toList(), found.stream().sorted().toList(),
                "a new public way to a Verdict: it must verify, or never give VALID");
    }

    @Test
    void aVerdictSeenAgainPastItsExpiryIsExpiredNeverValid() {
        TestSigner signer = new TestSigner();
        Instant created = Instant.ofEpochSecond(1_800_000_000L);
        Variant v = signer.sign("/networkmap/a", "{}", false, created, Duration.ofHours(1), 60).identity();
        Verdict valid = new ResponseVerifier(List.of(signer.publicKey()),
                Clock.fixed(created.plusSeconds(10), ZoneOffset.UTC))
                .verify(n -> v.header(n).orElse(null), v.body().toArray(), ResponseVerifier.Expectation.path("/networkmap/a"));
        assertEquals(Outcome.VALID, valid.outcome(), valid.reason());

        Instant later = created.plus(Duration.ofHours(2));
        for (Verdict any : List.of(valid, Verdict.fail(Outcome.BAD_SIGNATURE, "no"))) {
            Verdict expired = any.expiredAt(later);
            assertEquals(Outcome.EXPIRED, expired.outcome());
            assertFalse(expired.valid());
        }
        Verdict expired = valid.expiredAt(later);
        assertEquals(valid.keyId(), expired.keyId());
        assertEquals(valid.resource(), expired.resource());
        assertEquals(valid.expires(), expired.expires());
        assertEquals("expired at " + valid.expires() + " (now " + later + ")", expired.reason());
    }
}
