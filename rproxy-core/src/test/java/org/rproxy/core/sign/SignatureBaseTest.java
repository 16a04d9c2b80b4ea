package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9421 §2.5 signature bases, reproduced against the examples of Appendix B.2. */
class SignatureBaseTest {

    /** RFC 9421 Appendix B.2.6: signing a request using ed25519. */
    @Test
    void reproducesAppendixB26Exactly() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("created", 1618884473L);
        params.put("keyid", "test-key-ed25519");
        String signatureParams = SignatureBase.serializeParams(
                List.of("date", "@method", "@path", "@authority", "content-type", "content-length"), params);
        assertEquals("(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\")"
                + ";created=1618884473;keyid=\"test-key-ed25519\"", signatureParams);

        SignatureBase base = SignatureBase.of(List.of(
                new SignatureBase.Component("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
                new SignatureBase.Component("@method", "POST"),
                new SignatureBase.Component("@path", "/foo"),
                new SignatureBase.Component("@authority", "example.com"),
                new SignatureBase.Component("content-type", "application/json"),
                new SignatureBase.Component("content-length", "18")), signatureParams);
        assertEquals("\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
                + "\"@method\": POST\n"
                + "\"@path\": /foo\n"
                + "\"@authority\": example.com\n"
                + "\"content-type\": application/json\n"
                + "\"content-length\": 18\n"
                + "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
                + "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"", base.text());

        SigningKey key = SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE);
        assertEquals("wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==",
                Base64.getEncoder().encodeToString(key.sign(base.bytes())));
    }

    /** RFC 9421 Appendix B.2.4: a response signed with ecdsa-p256-sha256 (r||s), verified here. */
    @Test
    void verifiesAppendixB24EcdsaSignature() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("created", 1618884473L);
        params.put("keyid", "test-key-ecc-p256");
        String signatureParams = SignatureBase.serializeParams(
                List.of("@status", "content-type", "content-digest", "content-length"), params);
        SignatureBase base = SignatureBase.of(List.of(
                new SignatureBase.Component("@status", "200"),
                new SignatureBase.Component("content-type", "application/json"),
                new SignatureBase.Component("content-digest", "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc"
                        + "4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:"),
                new SignatureBase.Component("content-length", "23")), signatureParams);
        byte[] signature = Base64.getDecoder().decode(
                "wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==");
        VerificationKey key = VerificationKey.fromPem(TestKeys.RFC9421_P256_PUBLIC);
        assertTrue(key.verify(base.bytes(), signature));
    }

    @Test
    void trimsSpacesAroundValues() {
        SignatureBase base = SignatureBase.of(List.of(new SignatureBase.Component("etag", " \t\"x\"  ")), "()");
        assertEquals("\"etag\": \"x\"\n\"@signature-params\": ()", base.text());
    }

    @Test
    void refusesAComponentCoveredTwice() {
        SignatureBase.Component c = new SignatureBase.Component("etag", "\"x\"");
        assertThrows(IllegalArgumentException.class, () -> SignatureBase.of(List.of(c, c), "()"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "caf\u00e9", "x\u0000"})
    void refusesValuesThatCouldForgeLines(String value) {
        assertThrows(IllegalArgumentException.class, () -> new SignatureBase.Component("etag", value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "@", "ETag", "@signature-params", "a\"b", "content type", "x:y"})
    void refusesBadComponentNames(String name) {
        assertThrows(IllegalArgumentException.class, () -> new SignatureBase.Component(name, "v"));
    }
}
