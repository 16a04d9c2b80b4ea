package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.rproxy.core.bundle.SignedBundle;

class WalkTest {

    @Test
    void theVersionOfABundleIsTheCreatedOfTheSignatureAClientVerifies() {
        assertEquals("1700000000", Walk.created(bundle("alto=(\"content-type\");created=1700000000;expires=1700003600")));
        // another signature is not what a client takes: it names no version
        assertEquals("1700000000", Walk.created(bundle(
                "decoy=();created=1700002000, alto=(\"etag\");created=1700000000;expires=1700003600")));
    }

    /** Read as the verifier reads it: a "created=" inside a string parameter is not the signature's created. */
    @Test
    void theCreatedIsReadAsAStructuredFieldNotAsText() {
        assertEquals("1700000000", Walk.created(bundle(
                "alto=(\"etag\");keyid=\"k;created=1\";created=1700000000;expires=1700003600")));
    }

    @Test
    void aSignatureTheVerifierCannotReadNamesNoVersion() {
        assertEquals("", Walk.created(bundle("alto=(\"etag\");expires=1700003600")));
        assertEquals("", Walk.created(bundle("alto=(\"etag\");created=1700000000;expires=1")), "expires before created");
        assertEquals("", Walk.created(bundle("other=(\"etag\");created=1700000000;expires=1700003600")), "no alto signature");
        assertEquals("", Walk.created(bundle("alto=(\"etag\";created=1700000000")), "not a dictionary");
    }

    private static SignedBundle bundle(String signatureInput) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("content-type", List.of("application/alto-networkmap+json"));
        h.put("signature-input", List.of(signatureInput));
        return SignedBundle.of(h, new byte[] {'{', '}'});
    }
}
