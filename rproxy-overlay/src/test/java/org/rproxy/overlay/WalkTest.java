package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.rproxy.core.bundle.SignedBundle;

class WalkTest {

    @Test
    void theVersionOfABundleIsTheCreatedOfEverySignatureInIt() {
        assertEquals("1700000000", Walk.created(bundle("alto=(\"content-type\");created=1700000000;expires=1700003600")));
        assertEquals("1700000000", Walk.created(bundle(
                "alto=(\"etag\");created=1700000000;expires=1, more=();created=1700000000")));
    }

    @Test
    void signaturesOfDifferentTimesOrNoneNameNoVersion() {
        assertEquals("several", Walk.created(bundle(
                "decoy=();created=1700002000, alto=(\"etag\");created=1700000000;expires=1700003600")));
        assertEquals("", Walk.created(bundle("alto=(\"etag\");expires=1700003600")));
    }

    private static SignedBundle bundle(String signatureInput) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("content-type", List.of("application/alto-networkmap+json"));
        h.put("signature-input", List.of(signatureInput));
        return SignedBundle.of(h, new byte[] {'{', '}'});
    }
}
