package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.Bytes;

/**
 * The subset of RFC 8941 Structured Field Values that HTTP message signatures need: parsing of
 * Dictionaries (§4.2.2) and Items (§4.2.3) with every bare item type, and serialization (§4.1)
 * of dictionaries, inner lists, items and parameters. Parsing is strict and follows the RFC's algorithms
 * step by step; anything malformed raises {@link StructuredFieldException} and nothing else.
 * Serialization fails (an {@link IllegalArgumentException}) on what the RFC says it fails on (an
 * integer of more than 15 digits, a token or string no field can hold), so nothing is written
 * that a parser would refuse; a decimal is rounded to three fraction digits (§4.1.5).
 *
 * <p>Bare item values are represented as: {@code Long} (Integer), {@code BigDecimal} (Decimal),
 * {@code String} (String), {@link Token}, {@link Bytes} (Byte Sequence), {@code Boolean}.
 * Stateless; any thread.
 */
final class StructuredFields {

    /** An sf-token, kept apart from sf-string because the two serialize differently. */
    record Token(String text) {
        Token {
            requireNonNull(text, "text");
        }
    }

    /** An Item: a bare item and its parameters (in order). */
    record Item(Object value, Map<String, Object> params) {
        Item {
            requireNonNull(value, "value");
            params = frozen(params);
        }
    }

    /** An Inner List: items and the list's own parameters (in order). */
    record InnerList(List<Item> items, Map<String, Object> params) {
        InnerList {
            items = List.copyOf(items);
            params = frozen(params);
        }
    }

    /** The largest magnitude of an sf-integer (RFC 8941 §3.3.1: 15 digits). */
    static final long MAX_INTEGER = 999_999_999_999_999L;
    /** What an sf-decimal's magnitude stays below (RFC 8941 §3.3.2: 12 integer digits). */
    private static final BigDecimal MAX_DECIMAL = BigDecimal.TEN.pow(12);

    private StructuredFields() {
    }

    /** RFC 8941 §4.2.2; members are {@link Item} or {@link InnerList}; insertion ordered. */
    static Map<String, Object> parseDictionary(String field) {
        StructuredFieldParser in = new StructuredFieldParser(field);
        Map<String, Object> dict = new LinkedHashMap<>();
        in.skipSp();
        while (!in.atEnd()) {
            String key = in.key();
            Object member;
            if (in.peek() == '=') {
                in.next();
                member = in.itemOrInnerList();
            } else {
                member = new Item(Boolean.TRUE, in.parameters());
            }
            dict.put(key, member);
            in.skipOws();
            if (in.atEnd()) {
                break;
            }
            in.expect(',');
            in.skipOws();
            if (in.atEnd()) {
                throw in.fail("trailing comma");
            }
        }
        return Collections.unmodifiableMap(dict);
    }

    /** RFC 8941 §4.2 with §4.2.3: one Item, nothing after it. */
    static Item parseItem(String field) {
        StructuredFieldParser in = new StructuredFieldParser(field);
        in.skipSp();
        Item item = in.item();
        in.skipSp();
        if (!in.atEnd()) {
            throw in.fail("unexpected character after item");
        }
        return item;
    }

    /**
     * RFC 8941 §4.1.2: members of {@link Item} or {@link InnerList} in order, {@code ", "} between
     * them, a member whose value is true written as its key and parameters alone.
     */
    static String serializeDictionary(Map<String, Object> dict) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> m : dict.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(m.getKey());
            if (m.getValue() instanceof Item item && Boolean.TRUE.equals(item.value())) {
                appendParameters(sb, item.params());
            } else if (m.getValue() instanceof Item item) {
                sb.append('=').append(serializeItem(item));
            } else {
                sb.append('=').append(serializeInnerList((InnerList) m.getValue()));
            }
        }
        return sb.toString();
    }

    /** RFC 8941 §4.1.1.1. */
    static String serializeInnerList(InnerList list) {
        StringBuilder sb = new StringBuilder().append('(');
        for (int i = 0; i < list.items().size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            appendItem(sb, list.items().get(i));
        }
        sb.append(')');
        appendParameters(sb, list.params());
        return sb.toString();
    }

    /** RFC 8941 §4.1.3. */
    static String serializeItem(Item item) {
        StringBuilder sb = new StringBuilder();
        appendItem(sb, item);
        return sb.toString();
    }

    /** RFC 8941 §4.1.6 for a value already known to be valid (no escapes beyond \ and "). */
    static String serializeString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        appendBare(sb, s);
        return sb.toString();
    }

    private static void appendItem(StringBuilder sb, Item item) {
        appendBare(sb, item.value());
        appendParameters(sb, item.params());
    }

    private static void appendParameters(StringBuilder sb, Map<String, Object> params) {
        for (Map.Entry<String, Object> p : params.entrySet()) {
            sb.append(';').append(p.getKey());
            if (!Boolean.TRUE.equals(p.getValue())) {
                sb.append('=');
                appendBare(sb, p.getValue());
            }
        }
    }

    private static void appendBare(StringBuilder sb, Object v) {
        if (v instanceof String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    throw new IllegalArgumentException("sf-string: character U+" + Integer.toHexString(c)
                            + " (expected: U+0020-U+007E)");
                }
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append('"');
        } else if (v instanceof Long l) {
            if (Math.abs(l) > MAX_INTEGER) {
                throw new IllegalArgumentException("sf-integer: " + l + " (expected: at most 15 digits)");
            }
            sb.append(l.longValue());
        } else if (v instanceof Token t) {
            if (!isToken(t.text())) {
                throw new IllegalArgumentException("sf-token: '" + t.text()
                        + "' (expected: a letter or '*', then tchar, ':' or '/')");
            }
            sb.append(t.text());
        } else if (v instanceof Bytes b) {
            sb.append(':').append(Base64.getEncoder().encodeToString(b.unsafeArray())).append(':');
        } else if (v instanceof Boolean b) {
            sb.append(b ? "?1" : "?0");
        } else if (v instanceof BigDecimal d) {
            BigDecimal t = d.setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros();
            if (t.abs().compareTo(MAX_DECIMAL) >= 0) {
                throw new IllegalArgumentException("sf-decimal: " + d + " (expected: at most 12 integer digits)");
            }
            sb.append((t.scale() < 1 ? t.setScale(1) : t).toPlainString());
        } else {
            throw new IllegalArgumentException("bare item: " + v.getClass().getSimpleName() + " (unsupported)");
        }
    }

    /** RFC 8941 §3.3.6: a letter or '*', then tchar, ':' or '/'. */
    private static boolean isToken(String text) {
        if (text.isEmpty() || !(isAlpha(text.charAt(0)) || text.charAt(0) == '*')) {
            return false;
        }
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && "!#$%&'*+-.^_`|~:/".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static Map<String, Object> frozen(Map<String, Object> params) {
        // Map.copyOf would lose the order, and the order of parameters is significant.
        return Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
