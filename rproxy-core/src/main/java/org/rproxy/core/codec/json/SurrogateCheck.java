package org.rproxy.core.codec.json;

import java.io.IOException;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

/**
 * A parser that refuses a string or member name holding a lone surrogate, as an escape
 * ({@code "\ud800"}) can write one in well-formed UTF-8. RFC 8259 §8.2 leaves such a string's
 * meaning open and I-JSON (RFC 7493 §2.1) forbids it; what matters here is that RFC 8785 cannot
 * write it ({@link org.rproxy.core.codec.Jcs} refuses it) and UTF-8 cannot encode it (a writer
 * puts {@code ?} in its place). Read, it became a document the origin could not sign, an error
 * a proxy relayed with other text than it received, a value that did not read back as itself.
 * Refused at the token, it is a syntax error with its line and column, the same for the tree
 * and the streaming readers, and before any reader looks at a member.
 *
 * <p>Every token comes through {@link #nextToken} (the parser's other {@code next} methods call
 * it, {@link #nextValue} is routed to it here); {@code skipChildren} would pass strings by
 * unchecked, and the readers of this package do not call it. Not thread-safe, as a parser is not.
 */
final class SurrogateCheck extends JsonParserDelegate {

    SurrogateCheck(JsonParser parser) {
        super(parser);
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = delegate.nextToken();
        if (t == JsonToken.VALUE_STRING) {
            check(delegate.getText());
        } else if (t == JsonToken.FIELD_NAME) {
            check(delegate.currentName());
        }
        return t;
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    private void check(String s) throws JsonParseException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
                continue;
            }
            // placed where the string starts, as the line and column of the error say
            throw new JsonParseException(this, "string holds a lone surrogate U+"
                    + Integer.toHexString(c).toUpperCase(Locale.ROOT), delegate.currentTokenLocation());
        }
    }
}
