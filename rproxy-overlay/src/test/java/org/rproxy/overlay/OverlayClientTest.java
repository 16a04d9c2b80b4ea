package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class OverlayClientTest {
    private static final byte[] PUBLISHER = new byte[32];

    private static Pointer pointer(long seq, int ih) {
        byte[] infoHash = new byte[20];
        Arrays.fill(infoHash, (byte) ih);
        return new Pointer(PUBLISHER, "routingcost-map", seq, infoHash, 100);
    }

    private static String hex(Pointer p) {
        return HexFormat.of().formatHex(p.infoHash());
    }

    @Test
    void aClientHoldingNothingIsOfferedEveryPointerNewestFirst() {
        Pointer old = pointer(100, 1);
        Pointer newer = pointer(200, 2);
        Pointer tampered = pointer(201, 3);

        assertEquals(List.of(tampered, newer, old), OverlayClient.worthOffering(List.of(old, newer, tampered), null, null));
    }

    @Test
    void pointersToAVersionOlderThanTheOneHeldAreNotFetched() {
        Pointer old = pointer(100, 1);
        Pointer newer = pointer(200, 2);

        assertEquals(List.of(newer), OverlayClient.worthOffering(List.of(old, newer), Instant.ofEpochSecond(150), null));
        assertEquals(List.of(), OverlayClient.worthOffering(List.of(old), Instant.ofEpochSecond(150), hex(old)),
                "not even the bundle kept, once a newer version is held");
    }

    @Test
    void theVersionHeldIsOfferedOnlyFromTheBundleKept() {
        Pointer mine = pointer(100, 1);
        Pointer othersCopy = pointer(100, 2);
        Instant held = Instant.ofEpochSecond(100);

        assertEquals(List.of(mine), OverlayClient.worthOffering(List.of(othersCopy, mine), held, hex(mine)));
        assertEquals(List.of(), OverlayClient.worthOffering(List.of(othersCopy, mine), held, null),
                "held from a proxy: no transfer of the same version");
    }
}
