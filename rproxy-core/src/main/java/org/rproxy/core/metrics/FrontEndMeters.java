package org.rproxy.core.metrics;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.server.AltoHttpServer;

/**
 * The front end's own gauges, beside {@link RequestMetrics}' counters: the request-body bytes the
 * server holds while bodies arrive, over all its connections ({@code rproxy_request_body_bytes}),
 * and the most it holds before it answers a new body 503 ({@code rproxy_request_body_max_bytes}).
 * A value near the maximum says that many clients are sending bodies at once, or slowly; the
 * bodies answered 503 for want of room, by the node's bound or their connection's
 * ({@code rproxy_request_bodies_refused_total}), say how often it was reached. Likewise
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
 * And the HTTP/2 streams whose answer is being made or not yet all sent, over all connections
 * ({@code rproxy_answers_held}, at most {@code rproxy_answers_held_max}), and the times a stream
 * waited for a place among them ({@code rproxy_answers_held_waits_total}): one that climbs with
 * the held at the bound is clients asking and not reading, or a bound too low for the load.
 * And the queries not computed because their client had left before their turn came
 * ({@code rproxy_queries_skipped_total}): one that climbs is clients giving up on a busy node.
 * And the connections refused because their client's address had its most open already
 * ({@code rproxy_connections_per_address_refused_total}): one that climbs is a host opening
 * connections beyond its share, or many viewers behind one address (carrier-grade NAT) and a
 * limit set too low for them.
 * Read when scraped; lock-free.
 */
public final class FrontEndMeters {

    private static final String BYTES = "bytes";

    private FrontEndMeters() {
    }

    /** Registers the gauges of {@code server} in {@code registry}. */
    public static void bind(MeterRegistry registry, AltoHttpServer server) {
        gauge(registry, server, "rproxy.request.body", AltoHttpServer::requestBodyBytes, BYTES,
                "Request-body bytes held while bodies arrive, over all connections");
        gauge(registry, server, "rproxy.request.body.max", AltoHttpServer::maxRequestBodyBytes, BYTES,
                "Request-body bytes held at most; a body past them is answered 503");
        counter(registry, server, "rproxy.request.bodies.refused", AltoHttpServer::requestBodiesRefused,
                "Request bodies answered 503 because the node's or their connection's bound on bodies held had no room");
        gauge(registry, server, "rproxy.unfinished.streams", AltoHttpServer::unfinishedStreams, null,
                "HTTP/2 streams whose request is still arriving, over all connections");
        gauge(registry, server, "rproxy.unfinished.streams.max", AltoHttpServer::maxUnfinishedStreams, null,
                "HTTP/2 streams whose request is still arriving at most; one more is refused (REFUSED_STREAM)");
        counter(registry, server, "rproxy.unfinished.streams.refused", AltoHttpServer::unfinishedStreamsRefused,
                "HTTP/2 streams refused (REFUSED_STREAM) because the node's unfinished requests had every place");
        gauge(registry, server, "rproxy.answers.pending", AltoHttpServer::pendingSendBytes, BYTES,
                "Bytes of large answers copied by the transport (TLS, computed) not yet through their sockets");
        gauge(registry, server, "rproxy.answers.pending.max", AltoHttpServer::maxPendingSendBytes, BYTES,
                "Bytes of such answers pending at most; past them an answer waits to be sent");
        counter(registry, server, "rproxy.answers.deferred", AltoHttpServer::sendsDeferred,
                "Times an answer waited for the pending bytes of copied answers to drain");
        gauge(registry, server, "rproxy.answers.held", AltoHttpServer::answersHeld, null,
                "HTTP/2 streams whose answer is being made or not yet all sent, over all connections");
        gauge(registry, server, "rproxy.answers.held.max", AltoHttpServer::maxAnswersHeld, null,
                "HTTP/2 streams whose answer is held at most; past them a stream waits its turn, unstarted");
        counter(registry, server, "rproxy.answers.held.waits", AltoHttpServer::answersHeldWaits,
                "Times an HTTP/2 stream waited for a place among the answers held");
        counter(registry, server, "rproxy.queries.skipped", AltoHttpServer::queriesSkipped,
                "Queries not computed because their client left before their turn on the query pool");
        counter(registry, server, "rproxy.connections.per.address.refused", AltoHttpServer::connectionsRefusedPerAddress,
                "Connections refused (503, or GOAWAY to HTTP/2) because their client address had listen.max-connections-per-address open");
    }

    /** A gauge read from {@code server} when scraped; {@code unit} null for a count. */
    private static void gauge(MeterRegistry registry, AltoHttpServer server, String name,
                              ToDoubleFunction<AltoHttpServer> value, String unit, String description) {
        Gauge.builder(name, server, value).description(description).baseUnit(unit).register(registry);
    }

    /** A counter the server keeps itself, read when scraped. */
    private static void counter(MeterRegistry registry, AltoHttpServer server, String name,
                                ToDoubleFunction<AltoHttpServer> count, String description) {
        FunctionCounter.builder(name, server, count).description(description).register(registry);
    }
}
