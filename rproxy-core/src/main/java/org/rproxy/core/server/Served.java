package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.net.SocketAddress;

/**
 * One response the front end has written, as a {@link RequestObserver} sees it: what metrics
 * count and what the access log writes. Made on the event loop for every response, so it holds
 * only what the front end has at hand; formatting (the client's address) is left to whoever
 * needs it.
 *
 * @param client    the peer's address (the connection's, for an HTTP/2 stream), or null when unknown
 * @param protocol  {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2.0}; {@code "-"} for a connection
 *                  refused before its request was read
 * @param method    the request method, or {@code "-"} when the request line could not be read
 * @param path      the decoded request path, or {@code "-"} when unknown
 * @param route     the path's route as the service names it ({@link AltoService#route}): the path
 *                  itself, or a template standing for many paths (a stream's control URIs)
 * @param status    the HTTP status written
 * @param bodyBytes the bytes of body written (0 for HEAD, 304 and the head of an update stream)
 * @param nanos     time from the complete request head to the response being handed to Netty
 * @param cache     where the answer came from
 * @param encoding  the content coding of the body: {@code identity} or {@code gzip}
 * @param dialect   the dialect of the resource: JSON (RFC 7285) or the seed's XML
 */
public record Served(SocketAddress client, String protocol, String method, String path, String route, int status,
                     long bodyBytes, long nanos, CacheStatus cache, String encoding, Dialect dialect) {

    public Served {
        requireNonNull(protocol, "protocol");
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        requireNonNull(route, "route");
        requireNonNull(cache, "cache");
        requireNonNull(encoding, "encoding");
        requireNonNull(dialect, "dialect");
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status: " + status + " (expected: 100-999)");
        }
        if (bodyBytes < 0) {
            throw new IllegalArgumentException("bodyBytes: " + bodyBytes + " (expected: >= 0)");
        }
    }
}
