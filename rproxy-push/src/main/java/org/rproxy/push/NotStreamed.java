package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The versions of documents the update stream publisher did not stream, by request target and
 * reason ({@code rproxy_updates_not_streamed_total{reason,target}}), so that an operator watching
 * /metrics sees what the WARN line said once: a document whose subscribers stay on an older
 * version, or whose substreams were stopped. A counter is made for a target and reason when it is
 * first counted, and registered on every registry bound before or after; the targets are those
 * of signed documents (the origin's catalog), so the label set stays small.
 *
 * <p>Counted on the publisher's thread, bound and read from any: thread-safe.
 */
final class NotStreamed {

    /** Why a version was not streamed. */
    enum Reason {
        /**
         * Its signed fields could not be read (an {@code alto-resource} or signature fields that do
         * not parse): the version is not taken, the one held before stays the one streamed.
         */
        UNREADABLE,
        /** Its bytes hold a raw CR, which event data cannot carry: it is served by GET alone. */
        RAW_CR;

        /** The label value: {@code unreadable}, {@code raw_cr}. */
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private record Key(String target, Reason reason) {
    }

    private final Map<Key, AtomicLong> counts = new LinkedHashMap<>();
    private final List<MeterRegistry> registries = new ArrayList<>();

    /** One more version of {@code target} not streamed, for {@code reason}. */
    synchronized void add(String target, Reason reason) {
        Key key = new Key(requireNonNull(target, "target"), requireNonNull(reason, "reason"));
        AtomicLong n = counts.get(key);
        if (n == null) {
            n = new AtomicLong();
            counts.put(key, n);
            for (MeterRegistry r : registries) {
                register(r, key, n);
            }
        }
        n.incrementAndGet();
    }

    /** How many versions of {@code target} were not streamed for {@code reason}. */
    synchronized long count(String target, Reason reason) {
        AtomicLong n = counts.get(new Key(target, reason));
        return n == null ? 0 : n.get();
    }

    /** Shows the counts on {@code registry}: those so far now, later ones as they first come. */
    synchronized void bindTo(MeterRegistry registry) {
        registries.add(requireNonNull(registry, "registry"));
        counts.forEach((key, n) -> register(registry, key, n));
    }

    private static void register(MeterRegistry registry, Key key, AtomicLong n) {
        FunctionCounter.builder("rproxy.updates.not.streamed", n, AtomicLong::get)
                .description("Versions of documents not streamed on this node's /updates, by target and reason")
                .tag("target", key.target()).tag("reason", key.reason().label()).register(registry);
    }
}
