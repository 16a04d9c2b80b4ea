package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.StructuredFields.InnerList;
import org.rproxy.core.sign.StructuredFields.Item;
import org.rproxy.core.sign.StructuredFields.Token;

/**
 * A reading position within one structured field value, with the parsing steps of RFC 8941
 * §4.2 as methods (item, inner list, parameters, key, and each bare item type). Used by
 * {@link StructuredFields} for one parse, on one thread; every failure is a
 * {@link StructuredFieldException} that says what was expected and at which offset.
 */
final class StructuredFieldParser {
    private final String s;
    private int pos;

    StructuredFieldParser(String s) {
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
