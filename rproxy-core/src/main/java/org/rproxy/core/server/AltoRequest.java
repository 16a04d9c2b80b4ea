package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

import org.rproxy.core.model.Bytes;

/**
 * A request as the front end hands it to an {@link AltoService}: already decoded from HTTP, with
 * no Netty types, so that services can be tested and run without the network.
 *
 * @param method      {@code GET}, {@code HEAD} or {@code POST} (others never reach a service)
 * @param path        the decoded path, without the query
 * @param query       query parameters in order of appearance (decoded)
 * @param target      the request target (path and query) in normal origin form ({@link TargetForm}):
 *                    absolute form reduced, percent-encodings normalised, otherwise as received;
 *                    what documents are looked up and cached by
 * @param contentType the request's {@code Content-Type} without parameters, lower case, or null
 * @param accept      the {@code Accept} header, or null
 * @param body        the request body (empty for GET/HEAD)
 * @param host        the {@code Host} header (authority the client asked for), or null
 * @param clientWait  whether the client still waits for the answer ({@link ClientWait#inProcess()}
 *                    for a request made inside the process)
 */
public record AltoRequest(String method, String path, Map<String, List<String>> query, String target,
                          String contentType, String accept, Bytes body, String host, ClientWait clientWait) {
    public AltoRequest {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        query = Map.copyOf(requireNonNull(query, "query"));
        requireNonNull(target, "target");
        requireNonNull(body, "body");
        requireNonNull(clientWait, "clientWait");
    }

    /** Made inside the process: its caller always takes the answer. */
    public AltoRequest(String method, String path, Map<String, List<String>> query, String target,
                       String contentType, String accept, Bytes body, String host) {
        this(method, path, query, target, contentType, accept, body, host, ClientWait.inProcess());
    }

    /** Without a {@code Host}: requests made inside the process. */
    public AltoRequest(String method, String path, Map<String, List<String>> query, String target,
                       String contentType, String accept, Bytes body) {
        this(method, path, query, target, contentType, accept, body, null);
    }

    /** The first value of query parameter {@code name}, or null. */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
