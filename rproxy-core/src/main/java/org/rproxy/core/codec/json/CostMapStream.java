package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.path;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostRows;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.VersionTag;

/**
 * Reads a cost map (RFC 7285 §11.2.3.6) straight from bytes with Jackson's streaming parser:
 * the same checks and errors as {@link CostMapJson#read}, without a tree of millions of nodes
 * (a 2,000-PID map is 4 million costs and some 50 MB of JSON). {@code meta} may come before or
 * after {@code cost-map}; it is small and read as a tree. Members other than these two are
 * skipped (RFC 7285 §8.3.7). Stateless; any thread.
 */
final class CostMapStream {

    private CostMapStream() {
    }

    static CostMap read(byte[] bytes, VersionTag fallback) {
        try (JsonParser p = JsonSyntax.parser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                if (p.currentToken() == null) {
                    throw new AltoException(AltoError.syntax("empty body: expected a JSON value"));
                }
                p.skipChildren();
                checkEnd(p);
                throw JsonFields.wrongType("", "an object");
            }
            ObjectNode meta = null;
            CostRows rows = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("meta".equals(name)) {
                    meta = JsonFields.asObject(JsonSyntax.readTree(p), "meta");
                } else if ("cost-map".equals(name)) {
                    rows = readCosts(p, value);
                } else {
                    p.skipChildren();
                }
            }
            checkEnd(p);
            if (meta == null) {
                throw new AltoException(AltoError.missingField("meta"));
            }
            if (rows == null) {
                throw new AltoException(AltoError.missingField("cost-map"));
            }
            return CostMapJson.build(meta, rows, fallback);
        } catch (IOException e) {
            throw JsonSyntax.syntaxError(e);
        }
    }

    static CostRows readCosts(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            throw JsonFields.wrongType("cost-map", "an object");
        }
        CostRows rows = new CostRows();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String src = p.currentName();
            String srcPath = path("cost-map", src);
            Identifiers.pid(src, srcPath);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw JsonFields.wrongType(srcPath, "an object");
            }
            rows.startRow(src);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String dst = p.currentName();
                JsonToken v = p.nextToken();
                if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                    throw JsonFields.wrongType(path(srcPath, dst), "a number");
                }
                rows.add(dst, p.getDoubleValue());
            }
            rows.endRow();
        }
        return rows;
    }

    /** The document must end with its top-level value. */
    static void checkEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw new AltoException(AltoError.syntax("malformed JSON at line " + p.currentLocation().getLineNr()
                    + ", column " + p.currentLocation().getColumnNr() + ": unexpected content after the JSON value"));
        }
    }
}
