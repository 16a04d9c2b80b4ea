package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.rproxy.client.OverlayOnlySources;
import org.rproxy.core.sign.Verdict.Outcome;

class RefusalsTest {
    private static final URI FROM = URI.create("magnet:?xt=urn:btih:00ff");
    private static final Set<Outcome> BYTES_ALONE = EnumSet.of(Outcome.NO_SIGNATURE, Outcome.MALFORMED,
            Outcome.BAD_SIGNATURE, Outcome.DIGEST_MISMATCH, Outcome.CODING_MISMATCH);

    @ParameterizedTest
    @EnumSource(value = Outcome.class, mode = EnumSource.Mode.EXCLUDE, names = "VALID") // a refusal is never VALID
    void onlyWhatTheBytesAloneDecideIsRemembered(Outcome outcome) {
        assertEquals(BYTES_ALONE.contains(outcome), Refusals.forBytesAlone(OverlayOnlySources.invalid(FROM, outcome)),
                outcome.toString());
    }

    @Test
    void aRefusalIsRememberedForTheResourceAskedOnly() {
        Refusals r = new Refusals();
        r.remember("map-a", "00ff", "bad signature");
        assertEquals("bad signature", r.why("map-a", "00ff"));
        assertNull(r.why("map-b", "00ff"), "another resource's pointer to the same bundle is not refused unseen");
        assertNull(r.why("map-a", "0100"));
    }

    @Test
    void aPointerRefusedIsRememberedForThatPointerOnly() {
        Refusals r = new Refusals();
        byte[] bad = new byte[32];
        byte[] honest = new byte[32];
        honest[0] = 1;
        byte[] ih = new byte[20];
        r.remember(new Pointer(bad, "map-a", 2000, ih, 10), "signed at 1000");
        assertEquals("signed at 1000", r.why(new Pointer(bad, "map-a", 2000, ih, 10)));
        assertNull(r.why(new Pointer(honest, "map-a", 1000, ih, 10)), "another publisher's pointer to the same bundle");
        assertNull(r.why(new Pointer(bad, "map-a", 1000, ih, 10)), "the same publisher's pointer with the bundle's seq");
        assertNull(r.why("map-a", "00".repeat(20)), "the bundle itself is not refused");
    }

    @Test
    void theMostRecentAreKept() {
        Refusals r = new Refusals();
        for (int i = 0; i <= Refusals.KEPT; i++) {
            r.remember("map-a", Integer.toHexString(i), "x");
        }
        assertNull(r.why("map-a", "0"));
        assertTrue(r.why("map-a", Integer.toHexString(Refusals.KEPT)) != null);
        assertFalse(Refusals.forBytesAlone(OverlayOnlySources.invalid(FROM, Outcome.EXPIRED)));
    }
}
