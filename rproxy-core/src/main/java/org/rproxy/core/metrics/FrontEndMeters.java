package org.rproxy.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.server.AltoHttpServer;

/**
 * The front end's own gauges, beside {@link RequestMetrics}' counters: the request-body bytes the
 * server holds while bodies arrive, over all its connections ({@code rproxy_request_body_bytes}),
 * and the most it holds before it answers a new body 503 ({@code rproxy_request_body_max_bytes}).
 * A value near the maximum says that many clients are sending bodies at once, or slowly. And the
 * HTTP/2 streams refused at their head because the node's unfinished requests had every place
 * ({@code rproxy_unfinished_streams_refused_total}, {@code listen.max-unfinished-streams}): one
 * that climbs is clients holding requests open without ending them, or a bound set too low. Read
 * when scraped; lock-free.
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
        FunctionCounter.builder("rproxy.unfinished.streams.refused", server, AltoHttpServer::unfinishedStreamsRefused)
                .description("HTTP/2 streams refused (REFUSED_STREAM) because the node's unfinished requests had every place")
                .register(registry);
    }
}
