package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.path;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.JsonSyntaxErrors;
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
 * skipped (RFC 7285 §8.3.7), their strings and numbers read as a tree reader reads them.
 *
 * <p>The same errors means the same first error, word for word, though the tree reader sees the
 * whole document before it looks at a member: a fault in the costs is held while the rest is
 * read, so that a syntax error after it (a map cut short in transit), or a {@code meta} of the
 * wrong type after it, is what is reported, as the tree reader reports it. Stateless; any thread.
 */
final class CostMapStream {

    private CostMapStream() {
    }

    static CostMap read(byte[] bytes, VersionTag fallback) {
        try (JsonParser p = JsonSyntax.parser(bytes)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw JsonSyntaxErrors.empty();
            }
            if (first != JsonToken.START_OBJECT) {
                JsonSyntax.skip(p, first);
                JsonSyntax.checkEnd(p);
                throw JsonFields.wrongType("", "an object");
            }
            JsonStreamContext root = p.getParsingContext();
            JsonNode meta = null;
            CostRows rows = null;
            AltoException costsFault = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("meta".equals(name)) {
                    meta = JsonSyntax.readTree(p);
                    meta = meta == null ? NullNode.getInstance() : meta; // present, of the wrong type
                } else if ("cost-map".equals(name)) {
                    try {
                        rows = readCosts(p, value);
                    } catch (AltoException e) {
                        costsFault = e;
                        JsonSyntax.skipTo(p, root);
                    }
                } else {
                    JsonSyntax.skip(p, value);
                }
            }
            JsonSyntax.checkEnd(p);
            // the tree reader's order: the syntax of the whole document (above), then meta's type,
            // the costs, and what meta says
            if (meta == null) {
                throw new AltoException(AltoError.missingField("meta"));
            }
            ObjectNode metaObject = JsonFields.asObject(meta, "meta");
            if (costsFault != null) {
                throw costsFault;
            }
            if (rows == null) {
                throw new AltoException(AltoError.missingField("cost-map"));
            }
            return CostMapJson.build(metaObject, rows, fallback);
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
}
