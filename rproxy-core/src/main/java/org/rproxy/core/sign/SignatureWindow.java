package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code created} and {@code expires} of a response's ALTO signature, read from its
 * {@code Signature-Input} alone: nothing is verified. For a variant verified before, whose verdict
 * is not at hand (the push feed hands the pull feed a verified representation, whose own validity
 * is its identity variant's), to learn how long that variant's own signature holds. Stateless.
 *
 * @param created the signature's {@code created}
 * @param expires the signature's {@code expires}, after {@code created}
 */
public record SignatureWindow(Instant created, Instant expires) {

    public SignatureWindow {
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
        if (!expires.isAfter(created)) {
            throw new IllegalArgumentException("expires " + expires + " is not after created " + created);
        }
    }

    /**
     * The window of the ALTO signatures in {@code header}'s {@code Signature-Input} ({@link
     * AltoSignatures}: {@code alto}, and any {@code alto-N} beside it, which the origin signs with
     * the same window), or null when there is none, when one cannot be read as the verifier reads
     * it (not an inner list, {@code created} or {@code expires} missing or not a non-negative
     * integer, {@code expires} not after {@code created}), or when they disagree: which of them a
     * verifier checked is not known here, so no window is taken on the word of one it may not have.
     *
     * @param header lower-case field name → field value, or null
     */
    public static SignatureWindow read(Function<String, String> header) {
        String input = header.apply(SignatureHeaders.SIGNATURE_INPUT);
        if (input == null) {
            return null;
        }
        Map<String, Object> inputs;
        try {
            inputs = StructuredFields.parseDictionary(input);
        } catch (StructuredFieldException e) {
            return null;
        }
        SignatureWindow window = null;
        for (AltoSignatures.Member m : AltoSignatures.of(inputs, Map.of())) {
            SignatureWindow w = of(m.input());
            if (w == null || window != null && !window.equals(w)) {
                return null;
            }
            window = w;
        }
        return window;
    }

    private static SignatureWindow of(Object member) {
        if (!(member instanceof StructuredFields.InnerList list)
                || !(list.params().get("created") instanceof Long created) || created < 0
                || !(list.params().get("expires") instanceof Long expires) || expires <= created) {
            return null;
        }
        return new SignatureWindow(Instant.ofEpochSecond(created), Instant.ofEpochSecond(expires));
    }
}
