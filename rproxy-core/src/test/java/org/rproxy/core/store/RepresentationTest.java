package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;

class RepresentationTest {
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    static Representation of(long maxAge, long secondsToExpiry, String age) {
        return of(maxAge, secondsToExpiry, age, false);
    }

    static Representation of(long maxAge, long secondsToExpiry, String age, boolean signed) {
        List<HeaderField> h = new ArrayList<>(List.of(new HeaderField("content-type", "application/json")));
        if (signed) {
            h.add(new HeaderField("signature", "sig=:AAAA:"));
        }
        if (age != null) {
            h.add(new HeaderField("age", age));
        }
        return new Representation(new Variant(Bytes.utf8("{}"), null, h), null, maxAge, NOW.minusSeconds(10),
                NOW.plusSeconds(secondsToExpiry));
    }

    @Test
    void anOriginsOwnRepresentationIsCutAtItsExpiryWithASecondToSpare() {
        Representation r = of(300, 3600, null);
        assertEquals(300, r.maxAgeAt(NOW));
        assertEquals(3299, r.staleIfErrorAt(NOW));
        assertEquals(300, r.staleWhileRevalidateAt(NOW));
        assertEquals(99, of(300, 100, null).maxAgeAt(NOW));
        assertEquals(0, of(300, 100, null).staleIfErrorAt(NOW));
    }

    @Test
    void anUnsignedAnswersWindowsEndAtItsExpiryCountedFromNowWhateverItsAge() {
        // an answer computed at a proxy or passed on by one, 40 s old, resting on signatures
        // valid 3,600 s more: a cache that ignores Age keeps it for max-age + stale-if-error from
        // now, which must end before they do
        Representation held = of(60, 3600, "40");
        assertEquals(60, held.maxAgeAt(NOW));
        assertEquals(3599 - 60, held.staleIfErrorAt(NOW));
        assertEquals(60, held.staleWhileRevalidateAt(NOW));
        assertEquals(3, of(8, 4, "4").maxAgeAt(NOW), "4 s left: 3, whatever the Age");
        assertEquals(0, of(300, 0, "5").maxAgeAt(NOW), "ends now: nothing to keep");
    }

    @Test
    void aSignedCopysWindowsEndAtItsSignaturesExpiryCountedFromNowWhateverItsAge() {
        // held 100 s, the signature valid 3,500 s more: a cache that ignores Age (nginx) keeps it
        // for max-age + stale-if-error from now, which must end before the signature does; one that
        // honours Age ends 100 s earlier
        Representation signed = of(300, 3500, "100", true);
        assertEquals(300, signed.maxAgeAt(NOW));
        assertEquals(3199, signed.staleIfErrorAt(NOW), "3,499 s left, less the max-age");
        assertEquals(300, signed.staleWhileRevalidateAt(NOW));
        Representation nearExpiry = of(300, 60, "200", true);
        assertEquals(59, nearExpiry.maxAgeAt(NOW));
        assertEquals(0, nearExpiry.staleIfErrorAt(NOW));
        assertEquals(0, of(300, 0, "5", true).maxAgeAt(NOW), "expires now: nothing to keep");
    }

    /**
     * A copy whose response said it must be revalidated once stale announces no stale window
     * (RFC 9111 §4.2.4: the directive outweighs them; nginx knows only the windows), only its
     * freshness, and the directive that says it, read by a shared cache's rule: {@code s-maxage}
     * carries {@code proxy-revalidate} (§5.2.2.10), {@code must-revalidate} wins over both.
     */
    @Test
    void aCopyThatMustBeRevalidatedAnnouncesNoStaleWindow() {
        Representation r = of(300, 3600, "10", true).withRevalidation(Representation.Revalidation.EVERY_CACHE);
        assertEquals(new Representation.Windows(300, 0, 0), r.windowsAt(NOW));
        assertEquals(new Representation.Windows(99, 0, 0),
                of(300, 100, null).withRevalidation(Representation.Revalidation.SHARED_CACHES).windowsAt(NOW));
        assertEquals(Representation.Revalidation.NONE, SharedFreshness.revalidation("max-age=60, stale-if-error=5"));
        assertEquals(Representation.Revalidation.NONE, SharedFreshness.revalidation(null));
        assertEquals(Representation.Revalidation.SHARED_CACHES, SharedFreshness.revalidation("max-age=60, Proxy-Revalidate"));
        assertEquals(Representation.Revalidation.SHARED_CACHES, SharedFreshness.revalidation("max-age=600, s-maxage=60"));
        assertEquals(Representation.Revalidation.EVERY_CACHE,
                SharedFreshness.revalidation("s-maxage=60, MUST-REVALIDATE, proxy-revalidate"));
        assertEquals(Representation.Revalidation.EVERY_CACHE,
                Representation.Revalidation.SHARED_CACHES.strictest(Representation.Revalidation.EVERY_CACHE));
        assertEquals(Representation.Revalidation.SHARED_CACHES,
                Representation.Revalidation.SHARED_CACHES.strictest(Representation.Revalidation.NONE));
    }

    /**
     * A quoted argument may hold commas (RFC 9110 §5.6.4): what it holds is no directive. Split at
     * every comma, {@code x="a, no-store, b"} held a copy for no time and {@code
     * community="ops, must-revalidate"} took its stale windows away.
     */
    @Test
    void commasInsideAQuotedArgumentSplitNoDirectives() {
        assertEquals(60, SharedFreshness.maxAge("max-age=60, x=\"a, no-store, b\""));
        assertEquals(60, SharedFreshness.maxAge("x=\"a, s-maxage=0, b\", max-age=60"));
        assertEquals(30, SharedFreshness.seconds("max-age=60, x=\"1, max-age=0, \\\" , private\", max-age=\"30\"",
                "max-age"), "a quoted pair does not end the string");
        assertEquals(Representation.Revalidation.NONE,
                SharedFreshness.revalidation("max-age=60, community=\"ops, must-revalidate, proxy-revalidate\""));
        assertEquals(List.of("max-age=60", "x=\"a, b\"", "no-cache=\"set-cookie,x\"", "must-revalidate"),
                SharedFreshness.directives(" max-age=60 ,, x=\"a, b\", no-cache=\"set-cookie,x\",must-revalidate "));
        assertEquals(Representation.Revalidation.EVERY_CACHE,
                SharedFreshness.revalidation("x=\"a, b\", must-revalidate"), "a directive after a quoted argument counts");
    }

    @Test
    void anUnreadableAgeCountsAsNone() {
        assertEquals(0, of(300, 3600, "soon").ageSeconds());
        assertEquals(0, of(300, 3600, "-5").ageSeconds());
        assertEquals(12, of(300, 3600, " 12 ").ageSeconds());
    }
}
