package org.rproxy.client;

import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.Tags;

/**
 * The body that opens a client's update stream (RFC 8895 §6.5,
 * {@code application/alto-updatestreamparams+json}): one substream per map, keyed by its resource
 * id, naming the version held by its ALTO version tag ({@code meta.vtag.tag}, else the entity
 * tag), so that only what changed since is sent; and this project's request for signature
 * events, without which nothing could be verified. Stateless.
 */
final class StreamParams {

    private StreamParams() {
    }

    /** @param targets resource id to request target; {@code held} gives the version held of a target, or null */
    static byte[] of(Map<String, String> targets, Function<String, Representation> held) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode add = nodes.objectNode();
        targets.forEach((id, target) -> {
            ObjectNode sub = add.putObject(id);
            sub.put("resource-id", id);
            Representation r = held.apply(target);
            if (r != null) {
                String vtag = Tags.vtag(r.identity().body());
                String tag = vtag != null ? vtag : r.identity().etag() == null ? null : Tags.bare(r.identity().etag());
                if (tag != null) {
                    sub.put("tag", tag);
                }
            }
        });
        ObjectNode root = nodes.objectNode();
        root.set("add", add);
        root.put("alto-redist-signatures", true);
        return Jcs.canonicalize(root);
    }
}
