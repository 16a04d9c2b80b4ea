package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.upstream.LimitedBody;

/**
 * What the push feed learns from the upstream's signed directory before it subscribes: the
 * directory itself (verified like any document), the update stream's URI (the resource of media
 * type {@code text/event-stream}, RFC 8895 §7.1), and the documents the stream offers (its
 * {@code uses}), by request target.
 *
 * @param directory the verified directory
 * @param stream    the update stream's absolute URI
 * @param documents request target to resource id, in the directory's order
 */
record StreamDiscovery(VerifiedRepresentation directory, URI stream, Map<String, String> documents) {

    static final String DIRECTORY = "/directory";

    StreamDiscovery {
        requireNonNull(directory, "directory");
        requireNonNull(stream, "stream");
        documents = Collections.unmodifiableMap(new LinkedHashMap<>(documents)); // keeps the order
    }

    /**
     * Fetches {@code upstream}'s directory and reads it ({@link #read}); completes exceptionally
     * with the transport's failure, or an {@link IllegalStateException} saying what is wrong with
     * the answer (its status, not signed, no update stream, ...). The upstream is not trusted: the
     * whole exchange must end within {@code timeout} and its body stay within {@code maxBody}
     * bytes ({@link LimitedBody}), else it fails with an {@link java.net.http.HttpTimeoutException}
     * or {@link LimitedBody.TooLarge}, and the feed moves on. Does not block.
     */
    static CompletableFuture<StreamDiscovery> fetch(HttpClient http, URI upstream, ResponseVerifier verifier,
                                                    Duration timeout, int maxBody) {
        HttpRequest req = HttpRequest.newBuilder(upstream.resolve(DIRECTORY)).timeout(timeout).GET().build();
        return LimitedBody.sendAsync(http, req, timeout, maxBody).thenApply(resp -> {
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("status " + resp.statusCode());
            }
            try {
                return read(upstream, resp, verifier);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    /**
     * Verifies the directory response and reads it; an {@link IllegalArgumentException} or
     * {@link IllegalStateException} says what is wrong (not signed, no update stream, ...).
     */
    static StreamDiscovery read(URI upstream, HttpResponse<byte[]> response, ResponseVerifier verifier) {
        VerifiedRepresentation dir = PulledDocument.verify(DIRECTORY, response, verifier);
        JsonNode ird = Jcs.parse(response.body());
        String uri = null;
        Map<String, String> documents = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : ird.path("resources").properties()) {
            JsonNode r = e.getValue();
            if (MediaTypes.EVENT_STREAM.equals(r.path("media-type").asText())) {
                uri = r.path("uri").asText();
                for (JsonNode used : r.path("uses")) {
                    String target = ird.path("resources").path(used.asText()).path("uri").asText(null);
                    if (target != null) {
                        documents.putIfAbsent(target, used.asText());
                    }
                }
            }
        }
        if (uri == null) {
            throw new IllegalStateException("the upstream directory advertises no update stream");
        }
        documents.putIfAbsent(DIRECTORY, "directory");
        return new StreamDiscovery(dir, upstream.resolve(uri), documents);
    }
}
