package org.rproxy.core.sign;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ALTO signatures among the members of a response's {@code Signature-Input} and {@code
 * Signature} dictionaries: the one labelled {@code alto} (the origin's signing key) and any
 * labelled {@code alto-2}, {@code alto-3} ... (its other keys, on a directory signed during a
 * key rotation: ARCHITECTURE.md §4). RFC 9421 labels carry no meaning of their own; which key
 * made a signature is its {@code keyid}, and a verifier picks by that ({@link #pick}). Members
 * under any other label are someone else's and are left alone, as they always were. Stateless.
 */
final class AltoSignatures {
    /** The prefix of the labels of the signatures beside the {@code alto} one. */
    static final String MORE_PREFIX = SignatureHeaders.LABEL + "-";

    private AltoSignatures() {
    }

    /**
     * One label's members; either may be null when the other dictionary lacks the label.
     *
     * @param input     the {@code Signature-Input} member, or null
     * @param signature the {@code Signature} member, or null
     */
    record Member(String label, Object input, Object signature) {
        /** The {@code keyid} its input names, or null when it names none that could be read. */
        String keyId() {
            return input instanceof StructuredFields.InnerList list && list.params().get("keyid") instanceof String id
                    ? id : null;
        }
    }

    /** True for {@code alto} and {@code alto-N} (N a decimal number): the labels an ALTO signature has. */
    static boolean isAltoLabel(String label) {
        if (label.equals(SignatureHeaders.LABEL)) {
            return true;
        }
        if (!label.startsWith(MORE_PREFIX) || label.length() == MORE_PREFIX.length()) {
            return false;
        }
        for (int i = MORE_PREFIX.length(); i < label.length(); i++) {
            if (label.charAt(i) < '0' || label.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The ALTO signatures of the two dictionaries: {@code alto} first when either has it, then the
     * others in the order {@code Signature-Input} names them (then any only {@code Signature} names).
     */
    static List<Member> of(Map<String, Object> inputs, Map<String, Object> signatures) {
        Set<String> labels = new LinkedHashSet<>();
        if (inputs.containsKey(SignatureHeaders.LABEL) || signatures.containsKey(SignatureHeaders.LABEL)) {
            labels.add(SignatureHeaders.LABEL);
        }
        for (String label : inputs.keySet()) {
            if (isAltoLabel(label)) {
                labels.add(label);
            }
        }
        for (String label : signatures.keySet()) {
            if (isAltoLabel(label)) {
                labels.add(label);
            }
        }
        List<Member> out = new ArrayList<>(labels.size());
        for (String label : labels) {
            out.add(new Member(label, inputs.get(label), signatures.get(label)));
        }
        return out;
    }

    /**
     * The signature a verifier trusting {@code keys} checks: the first whose {@code keyid} it
     * trusts, so that a directory signed by the current key and the next verifies for a node that
     * knows either; when it trusts none, the first (the {@code alto} one when present), which
     * then fails as it always did ({@code UNKNOWN_KEY}, or the form it is in). One signature is
     * checked, never several: whatever else the fields carry costs no public-key operation, and
     * the verdict (its window, resource and digest) is that signature's alone, so a signature
     * beside it, by any key, widens nothing. Null when there is none.
     */
    static Member pick(List<Member> members, TrustedKeys keys) {
        for (Member m : members) {
            String id = m.keyId();
            if (id != null && keys.find(id) != null) {
                return m;
            }
        }
        return members.isEmpty() ? null : members.get(0);
    }
}
