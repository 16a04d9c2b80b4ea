package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.RepresentationStore;

/**
 * The pull feed's meters (Micrometer; Prometheus names in brackets): hits
 * ({@code rproxy_cache_hits_total}), misses, coalesced waits, stale copies served, upstream
 * fetches by kind and result, queries computed here or left to the upstream
 * ({@code rproxy_queries_total{answered}}), upstream request latency
 * ({@code rproxy_upstream_request_seconds}), verification failures by reason
 * ({@code rproxy_verification_failures_total{reason}}), bytes and entries held, and for each held
 * resource the seconds until its signature expires ({@code rproxy_resource_expires_seconds{target}})
 * and the origin's {@code created} time of its version
 * ({@code rproxy_resource_created_time_seconds{target}}, which the origin shows too: the difference
 * is how far this node lags behind it).
 * Thread-safe; counters are cached so the hit path only increments.
 */
final class PullMetrics {
    /**
     * Targets with an expiry gauge at most, to bound the label set. Only signed documents get
     * one, and only the origin can sign: the targets are its catalog's, not what clients ask for.
     */
    private static final int MAX_EXPIRY_GAUGES = 10_000;

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter hits;
    private final Counter misses;
    private final Counter coalesced;
    private final Counter stale;
    private final Counter localQueries;
    private final Counter upstreamQueries;
    private final ConcurrentHashMap<String, Counter> fetches = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Outcome, Counter> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Timer> upstream = new ConcurrentHashMap<>();
    /** The rows of each target held; read and written under its own lock ({@link #show}). */
    private final Map<String, Held> expiries = new HashMap<>();

    PullMetrics(MeterRegistry registry, RepresentationStore<?> store, Clock clock) {
        this.registry = requireNonNull(registry, "registry");
        this.clock = requireNonNull(clock, "clock");
        this.hits = Counter.builder("rproxy.cache.hits")
                .description("Requests answered from a held copy").register(registry);
        this.misses = Counter.builder("rproxy.cache.misses")
                .description("Requests with no usable copy held").register(registry);
        this.coalesced = Counter.builder("rproxy.cache.coalesced.waits")
                .description("Misses that waited for an upstream request already under way").register(registry);
        this.stale = Counter.builder("rproxy.cache.stale.served")
                .description("Answers past max-age: within stale-while-revalidate (revalidated in the background)"
                        + " or, with the upstream failing, within stale-if-error")
                .register(registry);
        this.localQueries = queries(registry, "local");
        this.upstreamQueries = queries(registry, "upstream");
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.VALID) {
                failures.put(o, failureCounter(registry, o)); // every reason shows, at 0 until it happens
            }
        }
        bindStore(registry, store);
    }

    /** The store's bytes, bound and entries, and its spool's bytes and sends when it has one, as gauges. */
    private static void bindStore(MeterRegistry registry, RepresentationStore<?> store) {
        Gauge.builder("rproxy.store.bytes", store, RepresentationStore::weightedBytes).baseUnit("bytes")
                .description("Bytes of representations held").register(registry);
        Gauge.builder("rproxy.store.max.bytes", store, RepresentationStore::maxBytes).baseUnit("bytes")
                .description("The store's bound").register(registry);
        Gauge.builder("rproxy.store.entries", store, RepresentationStore::size)
                .description("Representations held").register(registry);
        BodySpool spool = store.spool();
        if (spool != null) {
            Gauge.builder("rproxy.store.spooled.bytes", spool, BodySpool::spooledBytes).baseUnit("bytes")
                    .description("Bytes in spool files, including old ones still being sent").register(registry);
            FunctionCounter.builder("rproxy.store.spool.sends", spool, BodySpool::sends)
                    .description("Responses whose body the kernel sent from a spool file (sendfile)")
                    .register(registry);
        }
    }

    /**
     * The signatures {@code verifier} checked with a key, valid or not
     * ({@code rproxy_signature_checks_total}): the node's public-key operations, whoever asked
     * (the pull feed, and the push feed composed with it, which verifies with the same verifier),
     * so an operator sees what verifying costs and that a replayed or renewed update is not
     * checked twice.
     */
    static void bindVerifier(MeterRegistry registry, ResponseVerifier verifier) {
        FunctionCounter.builder("rproxy.signature.checks", verifier, ResponseVerifier::signatureChecks)
                .description("Signatures checked with a key, valid or not (public-key operations)")
                .register(registry);
    }

    /**
     * The bytes of upstream answers received and not yet verified
     * ({@code rproxy_upstream_unverified_bytes}) and their bound
     * ({@code rproxy_upstream_unverified_max_bytes}, {@code upstream.max-unverified-bytes}),
     * as gauges on {@code work}; its owner closes it.
     */
    static void bindWorkPool(MeterRegistry registry, WorkPool work) {
        Gauge.builder("rproxy.upstream.unverified.bytes", work, WorkPool::heldBytes).baseUnit("bytes")
                .description("Bytes of upstream answers received and waiting for, or under, verification")
                .register(registry);
        Gauge.builder("rproxy.upstream.unverified.max.bytes", work, WorkPool::maxBytes).baseUnit("bytes")
                .description("The most bytes of upstream answers held waiting for verification").register(registry);
    }

    /**
     * One query answered: computed here from held maps ({@code answered="local"}) or left to
     * the feed, which answers from the store or the upstream ({@code answered="upstream"}).
     */
    void query(boolean local) {
        (local ? localQueries : upstreamQueries).increment();
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void coalescedWait() {
        coalesced.increment();
    }

    void staleServed() {
        stale.increment();
    }

    /**
     * One attempt to obtain or renew an entry: {@code kind} miss, revalidate, refresh, recover,
     * source, refit or key; {@code result} stored, error, failed or rejected.
     */
    void fetch(String kind, String result) {
        fetches.computeIfAbsent(kind + ' ' + result, k -> Counter.builder("rproxy.upstream.fetches")
                .description("Attempts to obtain or renew an entry, by kind and result")
                .tag("kind", kind).tag("result", result).register(registry)).increment();
    }

    /**
     * One HTTP exchange with the upstream; status 0 when it failed without an answer. The upstream
     * is not trusted, so a status outside 100-599 is labelled {@code other}: the label stays
     * bounded whatever it sends.
     */
    void upstreamRequest(int status, long nanos) {
        int bounded = status == 0 || (status >= 100 && status <= 599) ? status : -1;
        upstream.computeIfAbsent(bounded, s -> Timer.builder("rproxy.upstream.request")
                .description("HTTP exchanges with the upstream, by status (0: no answer)")
                .tag("status", s < 0 ? "other" : Integer.toString(s)).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void verificationFailure(Outcome outcome) {
        failures.computeIfAbsent(outcome, o -> failureCounter(registry, o)).increment();
    }

    private static Counter failureCounter(MeterRegistry registry, Outcome o) {
        return Counter.builder("rproxy.verification.failures")
                .description("Upstream answers refused by verification, by reason")
                .tag("reason", o.name().toLowerCase(Locale.ROOT)).register(registry);
    }

    long verificationFailures(Outcome outcome) {
        Counter c = failures.get(outcome);
        return c == null ? 0 : (long) c.count();
    }

    /**
     * Shows what {@code target} holds now, as {@code current} reads it: the seconds until the
     * signature of the copy it gives expires and its signing time, or no rows when it gives null.
     * Two gauges per target, registered once and removed when the target is no longer held:
     * re-registering rows on every pass races with scrapes (duplicate label sets), so gauges are
     * not churned.
     *
     * <p>Called after every change of what the target holds (a hold, an eviction, a forget), on
     * the thread that made it. {@code current} is read under the gauges' one lock, so whatever
     * order racing threads' calls come in, the last one, which follows the last change, shows
     * it. Each caller used to say what it had seen instead (held, or not held): an eviction that
     * found its target empty then removed the rows after a hold on another thread had set them,
     * leaving a held target without rows, and a hold could register rows after an eviction had
     * taken its copy, leaving rows for a target not held. {@code current} must take no lock.
     */
    void show(String target, Supplier<CachedCopy> current) {
        synchronized (expiries) {
            CachedCopy h = current.get();
            Held e = expiries.get(target);
            if (h == null) {
                if (e != null) {
                    expiries.remove(target);
                    registry.remove(e.expiresGauge);
                    registry.remove(e.createdGauge);
                }
                return;
            }
            Times now = new Times(h.identity().created(), h.expires());
            if (e != null) {
                e.times = now;
            } else if (expiries.size() < MAX_EXPIRY_GAUGES) {
                expiries.put(target, register(target, now));
            }
        }
    }

    /** The gauges of {@code target}, showing {@code times} from the moment a scrape can see them. */
    private Held register(String target, Times times) {
        Held holder = new Held();
        holder.times = times;
        holder.expiresGauge = Gauge.builder("rproxy.resource.expires", holder, h -> h.secondsLeft(clock))
                .baseUnit("seconds").tag("target", target)
                .description("Seconds until the held copy's signature expires, by request target")
                .strongReference(true).register(registry);
        holder.createdGauge = Gauge.builder("rproxy.resource.created.time", holder, Held::createdSeconds)
                .baseUnit("seconds").tag("target", target)
                .description("The origin's created time (Unix seconds) of the held copy's signature, by request target")
                .strongReference(true).register(registry);
        return holder;
    }

    private static Counter queries(MeterRegistry registry, String answered) {
        return Counter.builder("rproxy.queries").description("Query requests, by where the answer came from")
                .tag("answered", answered).register(registry);
    }

    /** When one held copy was signed and when its signature expires, set together. */
    private record Times(Instant created, Instant expires) {
    }

    /** The signing times of one held target, read by its gauges. */
    private static final class Held {
        volatile Times times;
        volatile Gauge expiresGauge;
        volatile Gauge createdGauge;

        double secondsLeft(Clock clock) {
            Times t = times;
            return t == null ? 0 : Duration.between(clock.instant(), t.expires()).toMillis() / 1000.0;
        }

        double createdSeconds() {
            Times t = times;
            return t == null ? 0 : t.created().toEpochMilli() / 1000.0;
        }
    }
}
