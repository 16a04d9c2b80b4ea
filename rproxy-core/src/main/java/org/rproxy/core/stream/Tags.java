package org.rproxy.core.stream;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import org.rproxy.core.model.Bytes;

/**
 * The tags a subscriber may name the version it holds by (RFC 8895 §6.5 {@code tag}): an entity
 * tag, with or without its quotes, or the document's ALTO version tag. Stateless.
 */
public final class Tags {

    private static final JsonFactory JSON = new JsonFactory();

    private Tags() {
    }

    /** {@code tag} without a weak prefix and quotes: {@code W/"x"}, {@code "x"} and {@code x} are {@code x}. */
    public static String bare(String tag) {
        String t = tag.startsWith("W/") ? tag.substring(2) : tag;
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    /**
     * The {@code meta.vtag.tag} of a JSON document (RFC 7285 §10.3), or null when it has none or
     * is not JSON. Reads tokens without building a tree, skipping everything but {@code meta}, so
     * a cost map of many megabytes costs one pass and no allocation per cost.
     */
    public static String vtag(Bytes body) {
        try (JsonParser p = JSON.createParser(body.unsafeArray(), 0, body.length())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("meta") && value == JsonToken.START_OBJECT) {
                    return vtagOfMeta(p);
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String vtagOfMeta(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("vtag") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if (field.equals("tag") && v == JsonToken.VALUE_STRING) {
                        return p.getText();
                    }
                    p.skipChildren();
                }
                return null;
            }
            p.skipChildren();
        }
        return null;
    }
}
