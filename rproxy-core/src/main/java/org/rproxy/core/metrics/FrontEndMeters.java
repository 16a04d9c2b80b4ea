package org.rproxy.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.server.AltoHttpServer;

/**
 * The front end's own gauges, beside {@link RequestMetrics}' counters: the request-body bytes the
 * server holds while bodies arrive, over all its connections ({@code rproxy_request_body_bytes}),
 * and the most it holds before it answers a new body 503 ({@code rproxy_request_body_max_bytes}).
 * A value near the maximum says that many clients are sending bodies at once, or slowly. Likewise
 * the HTTP/2 streams whose request is still arriving ({@code rproxy_unfinished_streams}) and their
 * bound ({@code rproxy_unfinished_streams_max}, {@code listen.max-unfinished-streams}), read from
 * the count the bound keeps (no cost per request), so an operator sees how close the node is to
 * refusing; and the streams refused at their head because the node's unfinished requests had
 * every place ({@code rproxy_unfinished_streams_refused_total}): one that climbs is clients
 * holding requests open without ending them, or a bound set too low. And the bytes of large
 * answers the transport copies for each response (over TLS, or computed) that wait for their
 * clients' sockets ({@code rproxy_answers_pending_bytes}, at most about
 * {@code rproxy_answers_pending_max_bytes}), and the times an answer waited for them to drain
 * ({@code rproxy_answers_deferred_total}): one that climbs is slow readers holding the bound.
 * Read when scraped; lock-free.
 */
public final class FrontEndMeters {

    private FrontEndMeters() {
    }

    /** Registers the gauges of {@code server} in {@code registry}. */
    public static void bind(MeterRegistry registry, AltoHttpServer server) {
        Gauge.builder("rproxy.request.body", server, AltoHttpServer::requestBodyBytes)
                .description("Request-body bytes held while bodies arrive, over all connections")
                .baseUnit("bytes").register(registry);
        Gauge.builder("rproxy.request.body.max", server, AltoHttpServer::maxRequestBodyBytes)
                .description("Request-body bytes held at most; a body past them is answered 503")
                .baseUnit("bytes").register(registry);
        Gauge.builder("rproxy.unfinished.streams", server, AltoHttpServer::unfinishedStreams)
                .description("HTTP/2 streams whose request is still arriving, over all connections").register(registry);
        Gauge.builder("rproxy.unfinished.streams.max", server, AltoHttpServer::maxUnfinishedStreams)
                .description("HTTP/2 streams whose request is still arriving at most; one more is refused (REFUSED_STREAM)")
                .register(registry);
        FunctionCounter.builder("rproxy.unfinished.streams.refused", server, AltoHttpServer::unfinishedStreamsRefused)
                .description("HTTP/2 streams refused (REFUSED_STREAM) because the node's unfinished requests had every place")
                .register(registry);
        Gauge.builder("rproxy.answers.pending", server, AltoHttpServer::pendingSendBytes)
                .description("Bytes of large answers copied by the transport (TLS, computed) not yet through their sockets")
                .baseUnit("bytes").register(registry);
        Gauge.builder("rproxy.answers.pending.max", server, AltoHttpServer::maxPendingSendBytes)
                .description("Bytes of such answers pending at most; past them an answer waits to be sent")
                .baseUnit("bytes").register(registry);
        FunctionCounter.builder("rproxy.answers.deferred", server, AltoHttpServer::sendsDeferred)
                .description("Times an answer waited for the pending bytes of copied answers to drain")
                .register(registry);
    }
}
