package org.rproxy.core.upstream;

import java.util.concurrent.CompletableFuture;

/**
 * Where the pull feed sends its requests: the HTTP client towards the configured upstream
 * ({@link UpstreamClient}), or anything that answers like one.
 *
 * <p>{@link #send} never blocks; the future completes on a network thread, with the response or
 * with the failure (connection refused, timeout, closed, oversized).
 */
@FunctionalInterface
public interface Upstream {
    CompletableFuture<UpstreamResponse> send(UpstreamRequest request);
}
