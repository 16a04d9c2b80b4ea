package org.rproxy.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * A signature event carries each signed field as the verifier that took the variant read it: all
 * its lines, joined with {@code ", "}. A pull proxy keeps an upstream's lines as they came, and a
 * signature added on the way in a {@code Signature} line of its own before the origin's leaves
 * the copy verifying; the event made from it carried the first line alone, and every receiver
 * refused it ("Signature has no member 'alto'").
 */
class SignatureEventLinesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String TARGET = "/networkmap/nm";

    private final TestSigner signer = new TestSigner();
    private final ResponseVerifier verifier = new ResponseVerifier(List.of(signer.publicKey()),
            Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC));

    /** {@code fields} with a line {@code name: value} put before the first line of {@code name}. */
    private static List<HeaderField> lineBefore(List<HeaderField> fields, String name, String value) {
        List<HeaderField> out = new ArrayList<>();
        for (HeaderField h : fields) {
            if (h.name().equals(name) && out.stream().noneMatch(f -> f.name().equals(name))) {
                out.add(new HeaderField(name, value));
            }
            out.add(h);
        }
        return out;
    }

    @Test
    void anEventMadeFromAVariantInSeveralLinesVerifiesAsTheVariantDid() {
        Representation signed = signer.sign(TARGET, "{\"network-map\":{}}", true, T0, Duration.ofHours(1), 60);
        Variant identity = new Variant(signed.identity().body(), null,
                lineBefore(lineBefore(signed.identity().headers(), "signature", "hop=:AAAA:"),
                        "signature-input", "hop=(\"etag\");created=1"));
        Variant gzip = new Variant(signed.gzip().body(), "gzip",
                lineBefore(signed.gzip().headers(), "signature", "hop=:AAAA:"));
        Representation held = assertInstanceOf(VerifiedRepresentation.Verified.class, VerifiedRepresentation.verify(
                verifier, TARGET, new Representation(identity, gzip, 60, T0, T0.plusSeconds(3600))))
                .copy().representation();
        assertTrue(held.gzip() != null, "the gzip variant in several lines verified too");

        SignatureEvent event = SignatureEvent.parse(SignatureEvent.of(held).toJson());

        assertEquals("hop=:AAAA:, " + signed.identity().header("signature").orElseThrow(),
                SignatureEvent.get(event.identity(), "signature"));
        VerifiedRepresentation.FieldsCheck fields = VerifiedRepresentation.verifyFields(verifier, TARGET,
                event.identity(), null);
        VerifiedRepresentation.Verified rebuilt = assertInstanceOf(VerifiedRepresentation.Verified.class,
                assertInstanceOf(VerifiedRepresentation.SignedFields.class, fields, fields::toString)
                        .withBody(held.identity().body(), () -> new Variant(held.gzip().body(), "gzip", event.gzip()),
                                60, Representation.Revalidation.NONE));
        assertEquals(org.rproxy.core.sign.Verdict.Outcome.VALID, rebuilt.gzip());
        assertTrue(SignatureEvent.sameSigning(held.identity().headers(), event.identity()),
                "the event repeats the signing held");
    }
}
