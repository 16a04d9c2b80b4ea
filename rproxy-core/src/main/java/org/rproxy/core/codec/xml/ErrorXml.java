package org.rproxy.core.codec.xml;

import static org.rproxy.core.codec.xml.XmlFields.one;
import static org.rproxy.core.codec.xml.XmlFields.required;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;

/**
 * Maps {@link AltoError} to and from {@code <error code field value message/>} (reading the
 * message from the element's text too, the front end's form, and from either without the
 * whitespace around it; a blank one is none): the RFC 7285
 * §8.5.2 error codes in the XML dialect's own form. The HTTP status is not part of
 * the body; a parsed error gets the code's default status. Stateless.
 */
final class ErrorXml {
    private static final String ROOT = "error";

    private ErrorXml() {
    }

    /**
     * The error as every node serves it in the XML dialect:
     * {@code <alto xmlns="urn:ietf:params:xml:ns:p2p:alto"><error code=".." field=".." value="..">message</error></alto>}.
     * Built as text so that it cannot fail: everything is escaped, and characters XML 1.0
     * cannot carry are replaced by U+FFFD.
     */
    static String text(AltoError error) {
        StringBuilder b = new StringBuilder(160)
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<alto xmlns=\"").append(AltoDto.NS).append("\"><error");
        attribute(b, "code", error.code() == null ? null : error.code().name()); // a server condition: served as text
        attribute(b, "field", error.field());
        attribute(b, "value", error.value());
        b.append('>');
        escape(b, error.message(), false);
        return b.append("</error></alto>").toString();
    }

    private static void attribute(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append(' ').append(name).append("=\"");
        escape(b, value, true);
        b.append('"');
    }

    private static void escape(StringBuilder b, String s, boolean attribute) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append(attribute ? "&quot;" : "\"");
                // Attribute values are normalised by parsers: keep whitespace characters intact.
                case '\t' -> b.append(attribute ? "&#9;" : "\t");
                case '\n' -> b.append(attribute ? "&#10;" : "\n");
                case '\r' -> b.append("&#13;");
                default -> b.append(allowedInXml(s, i) ? c : '\uFFFD');
            }
        }
    }

    /** XML 1.0 §2.2 Char: no C0 controls but tab, LF, CR; no lone surrogates; no U+FFFE/U+FFFF. */
    private static boolean allowedInXml(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
            return false;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
        }
        return true;
    }

    static AltoError fromDto(AltoDto doc) {
        AltoDto.Error dto = one(doc.error, ROOT);
        String code = required(dto.code, ROOT + ".code");
        for (AltoErrorCode c : AltoErrorCode.values()) {
            if (c.name().equals(code)) {
                // one rule for the attribute and the text, which is where the message is written:
                // an attribute read as it stood was written as text and read back otherwise (" x"
                // as "x"), or not at all (an empty one)
                String message = dto.message == null || dto.message.isBlank() ? dto.text : dto.message;
                return AltoError.of(c, dto.field, dto.value,
                        required(message == null || message.isBlank() ? null : message.trim(), ROOT + ".message"));
            }
        }
        throw new AltoException(AltoError.invalidValue(ROOT + ".code", code, "not an ALTO error code"));
    }
}
