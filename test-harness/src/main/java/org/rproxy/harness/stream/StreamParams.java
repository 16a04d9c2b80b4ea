package org.rproxy.harness.stream;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;

/**
 * What a subscriber asks for: the stream parameters ({@code add}, RFC 8895 §6.5) for a set of
 * substreams, each naming a resource id, and the path each resource has in the server's
 * directory (what its signatures must name). Stateless.
 */
public final class StreamParams {

    private StreamParams() {
    }

    /** {@code {"add":{"<substream>":{"resource-id":"<id>"},...}}} in RFC 8785 form. */
    public static byte[] body(Map<String, String> resourceIdBySubstream) {
        ObjectNode add = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(resourceIdBySubstream).forEach((sub, id) -> add.putObject(sub).put("resource-id", id));
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("add", add);
        return Jcs.canonicalize(root);
    }

    /**
     * Substream id to the path of its resource, from {@code base}'s directory ({@code GET /directory}).
     *
     * @throws IOException when the directory cannot be read or lacks one of the resources
     */
    public static Map<String, String> paths(String base, Map<String, String> resourceIdBySubstream)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/directory"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException(base + "/directory answered " + r.statusCode() + ": "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        JsonNode resources = Jcs.parse(r.body()).path("resources");
        Map<String, String> paths = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : resourceIdBySubstream.entrySet()) {
            String uri = resources.path(e.getValue()).path("uri").asText(null);
            if (uri == null) {
                throw new IOException(base + "/directory lists no " + e.getValue());
            }
            paths.put(e.getKey(), URI.create(uri).getRawPath());
        }
        return paths;
    }
}
