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

    /** Every method the front end passes on to a service, as an {@code Allow} value. */
    String ALL_METHODS = "GET, HEAD, POST";

    CompletionStage<Reply> handle(AltoRequest request);

    /**
     * The methods the resource at {@code path} accepts, as an {@code Allow} field value
     * (RFC 9110 §10.2.1), or null when there is no such resource. The front end asks when it
     * refuses a method no service handles (PUT, DELETE...) with 405, or 404 on null; a service
     * that refuses GET or POST itself sets {@link Reply.Error#allow()}. Called on the event loop,
     * so a lookup only. By default every resource accepts {@link #ALL_METHODS}: right for a
     * service that cannot tell (a proxy that has not yet seen the resource).
     */
    default String allow(String path) {
        return ALL_METHODS;
    }

    /**
     * The route {@code path} belongs to, for metrics labels: the path itself, or a template that
     * stands for a family of paths made up per client (an update stream's control URIs), so that a
     * label never takes one value per client. Called on the event loop, so a string test only.
     */
    default String route(String path) {
        return path;
    }
}
