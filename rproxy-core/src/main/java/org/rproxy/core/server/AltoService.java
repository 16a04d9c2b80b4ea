package org.rproxy.core.server;

import java.util.concurrent.CompletionStage;

/**
 * The one thing the front end calls: answer a request. Implemented by the origin and by the
 * proxies.
 *
 * <p>Called on a Netty event loop, so an implementation must not block: a lookup of a prepared
 * representation may complete at once (return an already completed stage); anything that parses,
 * computes or waits for upstream runs elsewhere and completes the stage later, from any thread.
 * A stage completed exceptionally is answered 500 with an ALTO error body and logged; expected
 * failures must be returned as {@link Reply.Error} instead.
 */
@FunctionalInterface
public interface AltoService {
    CompletionStage<Reply> handle(AltoRequest request);
}
