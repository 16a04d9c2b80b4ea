package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Reading a signature's window from its Signature-Input, or nothing when it cannot be read. */
class SignatureWindowTest {
    private static final Instant CREATED = Instant.ofEpochSecond(1_700_000_000L);
    private static final Instant EXPIRES = CREATED.plusSeconds(3600);

    private static SignatureWindow read(String signatureInput) {
        Map<String, String> h = signatureInput == null ? Map.of() : Map.of("signature-input", signatureInput);
        return SignatureWindow.read(h::get);
    }

    @Test
    void theWindowIsWhatTheSignerWrote() {
        SignatureHeaders h = new ResponseSigner(SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE)).sign(
                "application/alto-networkmap+json", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "\"v1\"",
                "\"nm\";path=\"/networkmap/nm\"", CREATED, EXPIRES);
        assertEquals(new SignatureWindow(CREATED, EXPIRES), read(h.signatureInput()));
    }

    @Test
    void anInputThatCannotBeReadHasNoWindow() {
        assertNull(read(null), "no field");
        assertNull(read("alto=(\"etag\";created=1"), "not a dictionary");
        assertNull(read("other=(\"etag\");created=1;expires=2"), "no alto label");
        assertNull(read("alto=\"etag\";created=1;expires=2"), "not an inner list");
        assertNull(read("alto=(\"etag\");expires=2"), "no created");
        assertNull(read("alto=(\"etag\");created=1;expires=\"2\""), "expires not an integer");
        assertNull(read("alto=(\"etag\");created=-1;expires=2"), "created negative");
        assertNull(read("alto=(\"etag\");created=2;expires=2"), "expires not after created");
    }

    /**
     * A proxy or cache in between adds a member under an ALTO label with another window (or none
     * that reads): dropped from both fields, which are then the origin's, byte for byte, so that
     * the window reads again and a bundle of it is the one made of a copy that came without it.
     */
    @Test
    void onlyTheMembersOfTheVerifiedWindowAreKept() {
        SignatureHeaders origin = new ResponseSigner(SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE)).sign(
                "application/alto-networkmap+json", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "\"v1\"",
                "\"nm\";path=\"/networkmap/nm\"", CREATED, EXPIRES);
        SignatureWindow w = new SignatureWindow(CREATED, EXPIRES);
        String input = origin.signatureInput() + ", alto-2=(\"etag\");created=1;expires=99999999999;keyid=\"junk\", "
                + "alto-3=(\"etag\");created=7, theirs=(\"etag\");created=1;expires=2";
        String signature = "alto-3=:AAAA:, " + origin.signature() + ",alto-2=:AAAA:, theirs=:AAAA:, alto-4=:AAAA:";
        assertNull(read(input), "the windows disagree");
        SignatureHeaders kept = w.onlyOwn(input, signature);
        assertEquals(origin.signatureInput() + ", theirs=(\"etag\");created=1;expires=2", kept.signatureInput());
        assertEquals(origin.signature() + ", theirs=:AAAA:", kept.signature());
        assertEquals(w, read(kept.signatureInput()));

        SignatureHeaders untouched = w.onlyOwn(origin.signatureInput(), origin.signature());
        assertSame(origin.signatureInput(), untouched.signatureInput(), "nothing dropped: the value as it came");
        assertSame(origin.signature(), untouched.signature());
        assertNull(w.onlyOwn("alto=(", origin.signature()), "not a dictionary");
    }
}
