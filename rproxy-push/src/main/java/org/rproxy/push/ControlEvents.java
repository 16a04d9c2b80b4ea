package org.rproxy.push;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.stream.Sse;

/**
 * Control update events (RFC 8895 §5.3), {@code event: application/alto-updatestreamcontrol+json}:
 * the first one names the control URI (absolute, see {@link ControlUris}) and, as this project's
 * extension {@code alto-redist-documents}, every document the stream
 * offers (request target to resource id), so that a proxy can follow the directory and the XML
 * documents too; later ones say which substreams {@code started} or {@code stopped}, or list
 * documents offered since. Stateless.
 */
final class ControlEvents {

    private ControlEvents() {
    }

    static Bytes opened(String controlUri, Map<String, String> documents) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("control-uri", controlUri);
        ObjectNode docs = o.putObject(UpdatePublisher.DOCUMENTS_MEMBER);
        documents.forEach(docs::put);
        return event(o);
    }

    /** Documents the stream offers from now on (new since the stream opened), path to resource id. */
    static Bytes documents(Map<String, String> documents) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ObjectNode docs = o.putObject(UpdatePublisher.DOCUMENTS_MEMBER);
        documents.forEach(docs::put);
        return event(o);
    }

    static Bytes started(List<String> ids) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode a = o.putArray("started");
        ids.forEach(a::add);
        return event(o);
    }

    static Bytes stopped(List<String> ids, String description) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode a = o.putArray("stopped");
        ids.forEach(a::add);
        o.put("description", description);
        return event(o);
    }

    private static Bytes event(ObjectNode o) {
        return Sse.event(MediaTypes.UPDATE_STREAM_CONTROL, null, Bytes.wrap(Jcs.canonicalize(o)));
    }
}
