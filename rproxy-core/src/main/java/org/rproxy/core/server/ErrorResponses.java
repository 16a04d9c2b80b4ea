package org.rproxy.core.server;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;

/**
 * The one place that turns an {@link AltoError} into a response body, in either dialect.
 *
 * <p>JSON (RFC 7285 §8.5.2): {@code application/alto-error+json},
 * {@code {"meta":{"code":..,"field":..,"value":..,"message":..}}} with null members left out.
 * XML (the seed's draft-penno-alto-protocol form): {@code application/xml},
 * {@code <alto xmlns="urn:ietf:params:xml:ns:p2p:alto"><error code=".." field=".." value="..">message</error></alto>}.
 * Field values come from clients, so everything is escaped; characters XML 1.0 cannot carry are
 * replaced by U+FFFD. Stateless; any thread.
 */
final class ErrorResponses {

    static final String XML_NAMESPACE = "urn:ietf:params:xml:ns:p2p:alto";

    private ErrorResponses() {
    }

    static String contentType(Dialect dialect) {
        return dialect == Dialect.XML ? MediaTypes.XML : MediaTypes.ERROR;
    }

    static byte[] body(AltoError error, Dialect dialect) {
        String text = dialect == Dialect.XML ? xml(error) : json(error);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String json(AltoError error) {
        StringBuilder b = new StringBuilder(128).append("{\"meta\":{");
        jsonMember(b, "code", error.code().name(), false);
        jsonMember(b, "field", error.field(), true);
        jsonMember(b, "value", error.value(), true);
        jsonMember(b, "message", error.message(), true);
        return b.append("}}").toString();
    }

    static String xml(AltoError error) {
        StringBuilder b = new StringBuilder(160)
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<alto xmlns=\"").append(XML_NAMESPACE).append("\"><error");
        xmlAttribute(b, "code", error.code().name());
        xmlAttribute(b, "field", error.field());
        xmlAttribute(b, "value", error.value());
        b.append('>');
        xmlEscape(b, error.message(), false);
        return b.append("</error></alto>").toString();
    }

    private static void jsonMember(StringBuilder b, String name, String value, boolean comma) {
        if (value == null) {
            return;
        }
        if (comma) {
            b.append(',');
        }
        b.append('"').append(name).append("\":\"");
        JsonStringEncoder.getInstance().quoteAsString(value, b);
        b.append('"');
    }

    private static void xmlAttribute(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append(' ').append(name).append("=\"");
        xmlEscape(b, value, true);
        b.append('"');
    }

    private static void xmlEscape(StringBuilder b, String s, boolean attribute) {
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
}
