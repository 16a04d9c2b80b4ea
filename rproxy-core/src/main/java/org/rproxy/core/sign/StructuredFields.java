package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.Bytes;

/**
 * The subset of RFC 8941 Structured Field Values that HTTP message signatures need: parsing of
 * Dictionaries (§4.2.2) and Items (§4.2.3) with every bare item type, and serialization (§4.1)
 * of inner lists, items and parameters. Parsing is strict and follows the RFC's algorithms
 * step by step; anything malformed raises {@link StructuredFieldException} and nothing else.
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

    private StructuredFields() {
    }

    /** RFC 8941 §4.2.2; members are {@link Item} or {@link InnerList}; insertion ordered. */
    static Map<String, Object> parseDictionary(String field) {
        Cursor in = new Cursor(field);
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
        Cursor in = new Cursor(field);
        in.skipSp();
        Item item = in.item();
        in.skipSp();
        if (!in.atEnd()) {
            throw in.fail("unexpected character after item");
        }
        return item;
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
            sb.append(l.longValue());
        } else if (v instanceof Token t) {
            sb.append(t.text());
        } else if (v instanceof Bytes b) {
            sb.append(':').append(Base64.getEncoder().encodeToString(b.unsafeArray())).append(':');
        } else if (v instanceof Boolean b) {
            sb.append(b ? "?1" : "?0");
        } else if (v instanceof BigDecimal d) {
            BigDecimal t = d.stripTrailingZeros();
            sb.append((t.scale() < 1 ? t.setScale(1) : t).toPlainString());
        } else {
            throw new IllegalArgumentException("bare item: " + v.getClass().getSimpleName() + " (unsupported)");
        }
    }

    private static Map<String, Object> frozen(Map<String, Object> params) {
        // Map.copyOf would lose the order, and the order of parameters is significant.
        return Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** Reading position within one field value, with the RFC's parsing steps as methods. */
    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = requireNonNull(s, "field");
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        char peek() {
            return atEnd() ? '\0' : s.charAt(pos);
        }

        char next() {
            if (atEnd()) {
                throw fail("unexpected end");
            }
            return s.charAt(pos++);
        }

        void expect(char c) {
            if (peek() != c || atEnd()) {
                throw fail("expected '" + c + "'");
            }
            pos++;
        }

        void skipSp() {
            while (!atEnd() && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        void skipOws() {
            while (!atEnd() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        StructuredFieldException fail(String why) {
            return new StructuredFieldException(why + " at offset " + pos);
        }

        Object itemOrInnerList() {
            return peek() == '(' ? innerList() : item();
        }

        InnerList innerList() {
            expect('(');
            List<Item> items = new ArrayList<>();
            while (true) {
                skipSp();
                if (atEnd()) {
                    throw fail("unterminated inner list");
                }
                if (peek() == ')') {
                    pos++;
                    return new InnerList(items, parameters());
                }
                items.add(item());
                if (peek() != ' ' && peek() != ')') {
                    throw fail("expected ' ' or ')' in inner list");
                }
            }
        }

        Item item() {
            Object bare = bareItem();
            return new Item(bare, parameters());
        }

        Map<String, Object> parameters() {
            Map<String, Object> params = new LinkedHashMap<>();
            while (!atEnd() && peek() == ';') {
                pos++;
                skipSp();
                String key = key();
                Object value = Boolean.TRUE;
                if (peek() == '=' && !atEnd()) {
                    pos++;
                    value = bareItem();
                }
                params.put(key, value);
            }
            return params;
        }

        String key() {
            char c = peek();
            if (atEnd() || !(isLcAlpha(c) || c == '*')) {
                throw fail("expected a key");
            }
            int start = pos;
            while (!atEnd()) {
                c = s.charAt(pos);
                if (!(isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*')) {
                    break;
                }
                pos++;
            }
            return s.substring(start, pos);
        }

        Object bareItem() {
            if (atEnd()) {
                throw fail("expected a bare item");
            }
            char c = peek();
            if (c == '-' || isDigit(c)) {
                return number();
            }
            if (c == '"') {
                return string();
            }
            if (c == ':') {
                return byteSequence();
            }
            if (c == '?') {
                return bool();
            }
            if (isAlpha(c) || c == '*') {
                return token();
            }
            throw fail("unexpected character '" + printable(c) + "'");
        }

        private Object number() {
            int start = pos;
            boolean negative = false;
            if (peek() == '-') {
                negative = true;
                pos++;
            }
            if (atEnd() || !isDigit(peek())) {
                throw fail("expected a digit");
            }
            int digitsStart = pos;
            int dot = -1;
            while (!atEnd()) {
                char c = s.charAt(pos);
                if (isDigit(c)) {
                    pos++;
                } else if (c == '.' && dot < 0) {
                    if (pos - digitsStart > 12) {
                        throw fail("decimal with more than 12 integer digits");
                    }
                    dot = pos++;
                } else {
                    break;
                }
                int len = pos - digitsStart;
                if (dot < 0 && len > 15) {
                    throw fail("integer with more than 15 digits");
                }
                if (dot >= 0 && len > 16) {
                    throw fail("decimal with more than 16 characters");
                }
            }
            String text = s.substring(start, pos);
            if (dot < 0) {
                return Long.parseLong(text);
            }
            int fraction = pos - dot - 1;
            if (fraction == 0 || fraction > 3) {
                throw fail("decimal needs 1-3 fraction digits");
            }
            BigDecimal d = new BigDecimal(text);
            return negative && d.signum() == 0 ? BigDecimal.ZERO : d;
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '\\') {
                    if (atEnd()) {
                        throw fail("unterminated escape");
                    }
                    char e = s.charAt(pos++);
                    if (e != '"' && e != '\\') {
                        throw fail("invalid escape");
                    }
                    sb.append(e);
                } else if (c == '"') {
                    return sb.toString();
                } else if (c < 0x20 || c > 0x7e) {
                    pos--;
                    throw fail("invalid character in string");
                } else {
                    sb.append(c);
                }
            }
        }

        private Token token() {
            int start = pos++;
            while (!atEnd() && (isTchar(s.charAt(pos)) || s.charAt(pos) == ':' || s.charAt(pos) == '/')) {
                pos++;
            }
            return new Token(s.substring(start, pos));
        }

        private Bytes byteSequence() {
            expect(':');
            int start = pos;
            while (!atEnd() && s.charAt(pos) != ':') {
                char c = s.charAt(pos);
                if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=')) {
                    throw fail("invalid character in byte sequence");
                }
                pos++;
            }
            if (atEnd()) {
                throw fail("unterminated byte sequence");
            }
            String b64 = s.substring(start, pos++);
            try {
                return Bytes.wrap(Base64.getDecoder().decode(b64));
            } catch (IllegalArgumentException e) {
                throw fail("invalid base64 in byte sequence");
            }
        }

        private Boolean bool() {
            expect('?');
            char c = next();
            if (c == '1') {
                return Boolean.TRUE;
            }
            if (c == '0') {
                return Boolean.FALSE;
            }
            pos--;
            throw fail("expected ?0 or ?1");
        }

        private static boolean isLcAlpha(char c) {
            return c >= 'a' && c <= 'z';
        }

        private static boolean isAlpha(char c) {
            return isLcAlpha(c) || (c >= 'A' && c <= 'Z');
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isTchar(char c) {
            return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }

        private static String printable(char c) {
            return c >= 0x20 && c <= 0x7e ? String.valueOf(c) : "\\u" + String.format("%04x", (int) c);
        }
    }
}
