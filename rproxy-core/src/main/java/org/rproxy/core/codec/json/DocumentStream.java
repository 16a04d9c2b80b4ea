package org.rproxy.core.codec.json;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostRows;

/**
 * Reads one maps file's document from a stream in one pass, whatever its kind: the costs of a
 * {@code cost-map} member straight into {@link CostRows} (a compact table, about 8 bytes per
 * cost, where a tree would take several times the file), every other top-level member as a
 * small tree. Neither the file's bytes nor a tree of its costs are ever held whole. The same
 * strictness as {@link JsonSyntax} (repeated names, trailing content). Stateless; any thread.
 */
final class DocumentStream {

    private DocumentStream() {
    }

    static AltoJson.StreamedDocument read(InputStream in, AltoJson.CostsMarks marks) {
        try (JsonParser p = JsonSyntax.parser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                if (p.currentToken() == null) {
                    throw new AltoException(AltoError.syntax("empty document: expected a JSON object"));
                }
                throw JsonFields.wrongType("", "an object");
            }
            ObjectNode members = JsonValues.NODES.objectNode();
            CostRows rows = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("cost-map".equals(name)) {
                    marks.costsBegin();
                    rows = CostMapStream.readCosts(p, value);
                    marks.costsEnd();
                } else {
                    members.set(name, JsonSyntax.readTree(p));
                }
            }
            JsonSyntax.checkEnd(p);
            return new AltoJson.StreamedDocument(members, rows);
        } catch (IOException e) {
            throw JsonSyntax.syntaxError(e);
        }
    }
}
