package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.Map;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;

/**
 * What a POST-mode substream follows (RFC 8895 §6.5): a query resource of the directory and an
 * input in RFC 8785 form. Subscribers asking the same question share one key, so the answer is
 * computed once per change however many follow it. Immutable.
 *
 * @param resourceId the query resource's id in the directory
 * @param path       its request target on this node (path, and query when its URI has one)
 * @param accepts    the media type of its input ({@code accepts} in the directory)
 * @param mediaType  the media type of its answers
 * @param input      the input, canonical
 */
record QueryKey(String resourceId, String path, String accepts, String mediaType, Bytes input) {

    QueryKey {
        requireNonNull(resourceId, "resourceId");
        requireNonNull(path, "path");
        requireNonNull(accepts, "accepts");
        requireNonNull(mediaType, "mediaType");
        requireNonNull(input, "input");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: /...)");
        }
    }

    /** The key its answer is tracked under; never a request target (those start with a slash). */
    String key() {
        return "POST " + path + " " + input.asUtf8();
    }

    /** The POST this node's own document service answers, as a client's would be. */
    AltoRequest request() {
        int q = path.indexOf('?');
        return new AltoRequest("POST", q < 0 ? path : path.substring(0, q), Map.of(), path, accepts, mediaType, input);
    }
}
