package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The update streams' meters (Micrometer; Prometheus names in brackets), read from
 * {@link PushFeed#stats()} and {@link UpdatePublisher#stats()} when scraped.
 *
 * <p>A push feed's: whether it has a subscription the upstream accepted open now
 * ({@code rproxy_push_stream_connected}, 1 or 0: 1 from the stream's first control event naming a
 * control URI the feed took, the moment the feed turns ready, not from the 200 alone; a push proxy
 * whose stream died and which lives on pull's refresh-ahead shows 0), the subscriptions it opened ({@code
 * rproxy_push_stream_connects_total}: one that climbs is a stream that keeps breaking; a preferred
 * upstream's stream tried beside the working one counts too), and the
 * updates it received by outcome ({@code rproxy_push_updates_total{result}}: {@code verified} a
 * new version verified and handed on, {@code renewed} a signature renewal of the bytes held,
 * {@code rejected} one that did not verify, the held version staying, {@code repeated} a signature
 * event of the version held sent again, dropped before anything was rebuilt: one that climbs is an
 * upstream replaying; the directory read again before a resubscription counts as {@code verified}
 * or {@code renewed} only when it is a new signing, {@link UpdateReceiver#read}), and the re-adds of
 * substreams from the version held after such a rejection, asked through the control URI ({@code
 * rproxy_push_resyncs_total}: one that climbs is an upstream whose updates keep failing).
 *
 * <p>An update stream publisher's (every node serves {@code /updates}: the origin, the signing
 * front, pull and push proxies): its subscribers now ({@code rproxy_updates_subscribers}), the new
 * versions of documents it streamed ({@code rproxy_updates_versions_total}), versions a slow
 * subscriber skipped ({@code rproxy_updates_coalesced_total}), subscribers disconnected for
 * leaving their buffer full past the stall timeout ({@code rproxy_updates_disconnected_total}),
 * the bytes sent to all subscribers and not yet through their sockets and their bound ({@code
 * rproxy_updates_pending_bytes}, {@code rproxy_updates_pending_max_bytes}), the times a
 * subscriber began to wait for that bound ({@code rproxy_updates_deferred_total}), and the versions
 * of documents not streamed, by target and reason ({@code rproxy_updates_not_streamed_total},
 * {@link NotStreamed}).
 */
public final class StreamMeters {

    private StreamMeters() {
    }

    /** Registers {@code feed}'s meters on {@code registry}. */
    public static void feed(MeterRegistry registry, PushFeed feed) {
        requireNonNull(registry, "registry");
        requireNonNull(feed, "feed");
        Gauge.builder("rproxy.push.stream.connected", feed, f -> f.stats().connected() ? 1 : 0)
                .description("1 while a subscription the upstream accepted (control URI taken) is open, else 0")
                .strongReference(true).register(registry);
        counter(registry, "rproxy.push.stream.connects", feed, f -> f.stats().connects(),
                "Subscriptions to the upstream's update stream opened (the first and every reconnect)", null);
        String updates = "Updates received on the upstream's update stream, by outcome";
        counter(registry, "rproxy.push.updates", feed, f -> f.stats().updates(), updates, "verified");
        counter(registry, "rproxy.push.updates", feed, f -> f.stats().renewals(), updates, "renewed");
        counter(registry, "rproxy.push.updates", feed, f -> f.stats().rejected(), updates, "rejected");
        counter(registry, "rproxy.push.updates", feed, f -> f.stats().repeated(), updates, "repeated");
        counter(registry, "rproxy.push.resyncs", feed, f -> f.stats().resyncs(),
                "Re-adds of substreams from the version held after a rejected update, asked through the control URI", null);
    }

    /** Registers {@code publisher}'s meters on {@code registry}. */
    public static void publisher(MeterRegistry registry, UpdatePublisher publisher) {
        requireNonNull(registry, "registry");
        requireNonNull(publisher, "publisher");
        Gauge.builder("rproxy.updates.subscribers", publisher, p -> p.stats().subscribers())
                .description("Update streams open on this node's /updates").strongReference(true).register(registry);
        counter(registry, "rproxy.updates.versions", publisher, p -> p.stats().updates(),
                "New versions of documents streamed to this node's subscribers", null);
        counter(registry, "rproxy.updates.coalesced", publisher, p -> p.stats().coalesced(),
                "Versions a slow subscriber skipped (sent the latest once it drained)", null);
        counter(registry, "rproxy.updates.disconnected", publisher, p -> p.stats().disconnected(),
                "Subscribers disconnected for leaving their buffer full past the stall timeout", null);
        Gauge.builder("rproxy.updates.pending", publisher, p -> p.stats().pendingBytes()).baseUnit("bytes")
                .description("Bytes of events sent to this node's subscribers and not yet through their sockets")
                .strongReference(true).register(registry);
        Gauge.builder("rproxy.updates.pending.max", publisher, p -> p.stats().maxPendingBytes()).baseUnit("bytes")
                .description("The bound on those bytes (push.max-pending-bytes), past which subscribers wait")
                .strongReference(true).register(registry);
        counter(registry, "rproxy.updates.deferred", publisher, p -> p.stats().deferred(),
                "Times a subscriber with something to send began to wait for push.max-pending-bytes", null);
        publisher.notStreamed().bindTo(registry);
    }

    private static <T> void counter(MeterRegistry registry, String name, T source, ToDoubleFunction<T> count,
                                    String description, String result) {
        FunctionCounter.Builder<T> b = FunctionCounter.builder(name, source, count).description(description);
        if (result != null) {
            b.tag("result", result);
        }
        b.register(registry);
    }
}
