package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code created} and {@code expires} of a response's ALTO signature, read from its
 * {@code Signature-Input} alone: nothing is verified. For a copy verified before, whose verdict is
 * not at hand (a bundle the overlay names by its {@code created}), to learn which version it is and
 * how long it holds; where the verdict is at hand, its window is the one to take ({@link #onlyOwn},
 * {@link VerifiedRepresentation#gzipWindow}). Stateless.
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

    /**
     * {@code input} and {@code signature}, a response's {@code Signature-Input} and {@code
     * Signature} values, without the ALTO signatures ({@link AltoSignatures}) whose window is not
     * this one, this being the window of the signature a verifier checked in them: what a node
     * hands on of a copy it verified as a bundle. The origin signs all its signatures over one
     * window, so one over another was added on the way (by a proxy or cache in between), which
     * verifiers pass over (they check the first by a key they trust); left in, it makes
     * {@link #read} find no window, which the overlay refuses, and the bundle another than the
     * one a node whose copy came without it makes. Members under other labels are kept. The values
     * come back unchanged when nothing is dropped, else written anew as the origin writes them
     * (RFC 8941). Null when either cannot be read as a dictionary. Stateless.
     */
    public SignatureHeaders onlyOwn(String input, String signature) {
        requireNonNull(input, "input");
        requireNonNull(signature, "signature");
        Map<String, Object> inputs;
        Map<String, Object> signatures;
        try {
            inputs = StructuredFields.parseDictionary(input);
            signatures = StructuredFields.parseDictionary(signature);
        } catch (StructuredFieldException e) {
            return null;
        }
        Map<String, Object> keptInputs = new LinkedHashMap<>(inputs);
        Map<String, Object> keptSignatures = new LinkedHashMap<>(signatures);
        for (AltoSignatures.Member m : AltoSignatures.of(inputs, signatures)) {
            if (!equals(of(m.input()))) {
                keptInputs.remove(m.label());
                keptSignatures.remove(m.label());
            }
        }
        if (keptInputs.size() == inputs.size() && keptSignatures.size() == signatures.size()) {
            return new SignatureHeaders(input, signature);
        }
        return new SignatureHeaders(StructuredFields.serializeDictionary(keptInputs),
                StructuredFields.serializeDictionary(keptSignatures));
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
