package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The RFC 9421 §2.5 signature base: the exact bytes a signature covers, one line per covered
 * component ({@code "name": value}) and a last line {@code "@signature-params": ...} without a
 * trailing newline. Signer and verifier both build it here, from component values they looked up
 * themselves (header fields, or derived components such as {@code @method} supplied by the
 * caller). Immutable; any thread.
 */
public final class SignatureBase {
    private static final String PARAMS = "@signature-params";

    private final String text;

    private SignatureBase(String text) {
        this.text = text;
    }

    /**
     * One covered component: its identifier (a lower-case field name, or a derived component such
     * as {@code @method}, without parameters) and its value. Leading and trailing spaces and tabs of
     * the value are dropped (§2.1); a value with other control characters or non-ASCII is rejected,
     * because it could forge extra lines of the base.
     */
    public record Component(String name, String value) {
        public Component {
            requireNonNull(name, "name");
            requireNonNull(value, "value");
            if (!validName(name)) {
                throw new IllegalArgumentException("name: " + name
                        + " (expected: a lower-case field name, or @ and a derived component name)");
            }
            value = trimOws(value);
            checkValue(name, value);
        }
    }

    /**
     * The base for {@code components} (in the order they are covered) and the serialized
     * {@code @signature-params} value (the inner list with its parameters, as in Signature-Input).
     *
     * @throws IllegalArgumentException when a component is covered twice (§2.5 step 2.1)
     */
    public static SignatureBase of(List<Component> components, String signatureParams) {
        requireNonNull(components, "components");
        requireNonNull(signatureParams, "signatureParams");
        checkValue(PARAMS, signatureParams);
        StringBuilder sb = new StringBuilder(256);
        Set<String> seen = new HashSet<>();
        for (Component c : components) {
            if (!seen.add(c.name())) {
                throw new IllegalArgumentException("component " + c.name() + " is covered twice");
            }
            sb.append('"').append(c.name()).append("\": ").append(c.value()).append('\n');
        }
        sb.append('"').append(PARAMS).append("\": ").append(signatureParams);
        return new SignatureBase(sb.toString());
    }

    /** The inner list {@code ("a" "b");k=v...} for {@code names} and ordered {@code params}. */
    static String serializeParams(List<String> names, Map<String, Object> params) {
        List<StructuredFields.Item> items = new ArrayList<>(names.size());
        for (String n : names) {
            items.add(new StructuredFields.Item(n, Map.of()));
        }
        return StructuredFields.serializeInnerList(new StructuredFields.InnerList(items, params));
    }

    public String text() {
        return text;
    }

    /** The base as the bytes to sign (US-ASCII; it holds nothing else). */
    public byte[] bytes() {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Equal when the bytes to sign are: two signatures over equal bases sign the same thing. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SignatureBase b && text.equals(b.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /** An HTTP field name (RFC 9110 §5.1 token) in lower case, optionally after one '@'. */
    private static boolean validName(String name) {
        int start = name.startsWith("@") ? 1 : 0;
        if (name.length() == start || PARAMS.equals(name)) {
            return false;
        }
        for (int i = start; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String trimOws(String v) {
        int start = 0;
        int end = v.length();
        while (start < end && (v.charAt(start) == ' ' || v.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (v.charAt(end - 1) == ' ' || v.charAt(end - 1) == '\t')) {
            end--;
        }
        return v.substring(start, end);
    }

    private static void checkValue(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                throw new IllegalArgumentException(name + ": character U+" + String.format("%04X", (int) c)
                        + " not allowed in a signature base (expected: visible ASCII, space, tab)");
            }
        }
    }
}
