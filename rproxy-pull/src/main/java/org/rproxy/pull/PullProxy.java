package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.metrics.AdminServer;
import org.rproxy.core.metrics.FrontEndMeters;
import org.rproxy.core.metrics.NodeMeters;
import org.rproxy.core.metrics.RequestMetrics;
import org.rproxy.core.query.QueryPool;
import org.rproxy.core.server.AccessLog;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.tls.Tls;
import org.rproxy.core.upstream.Upstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running pull-mode RProxy: the front end, the {@link PullFeed} with its store, the client
 * towards the upstream, and the admin listener when configured. {@link #start} fails before
 * serving anything when a key, a certificate or an address is unusable; {@link #close} stops
 * every thread and timer it started.
 */
public final class PullProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PullProxy.class);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<AdminServer.Readiness> readinessChecks = new CopyOnWriteArrayList<>();
    private final NodeMeters meters = new NodeMeters();
    private final PrometheusMeterRegistry registry = meters.registry();
    private RepresentationStore<CacheKey> store;
    private PullFeed feed;
    private CurrentAnswers local;
    private AltoHttpServer server;
    private AdminServer admin;
    private String baseUri;
    private String via;
    private TrustedKeys keys;

    private PullProxy() {
    }

    public static PullProxy start(ProxyConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** Starts with {@code clock} deciding validity and freshness (tests move it instead of waiting). */
    public static PullProxy start(ProxyConfig config, Clock clock) {
        return start(config, clock, UnaryOperator.identity());
    }

    /**
     * Starts with the front end's service wrapped by {@code wrapFront}: the app mounts more
     * resources beside the pulled ones (the push publisher's {@code /updates}).
     */
    public static PullProxy start(ProxyConfig config, Clock clock, UnaryOperator<AltoService> wrapFront) {
        return start(config, clock, wrapFront, WorkPool.threads() * WorkPool.QUEUE_PER_THREAD);
    }

    /** Starts with at most {@code maxQueuedWork} tasks waiting for the worker threads ({@link WorkPool}; tests). */
    static PullProxy start(ProxyConfig config, Clock clock, UnaryOperator<AltoService> wrapFront, int maxQueuedWork) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        requireNonNull(wrapFront, "wrapFront");
        if (config.mode() != ProxyConfig.Mode.PULL) {
            throw new ConfigException("mode: " + config.mode() + " is not the pull mode");
        }
        PullProxy proxy = new PullProxy();
        try {
            proxy.startAll(config, clock, wrapFront, maxQueuedWork);
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    private void startAll(ProxyConfig config, Clock clock, UnaryOperator<AltoService> wrapFront, int maxQueuedWork) {
        closeables.add(meters);
        UpstreamConfig up = config.upstream();
        keys = UpstreamParts.trust(up);
        ResponseVerifier verifier = new ResponseVerifier(keys, clock);
        WorkPool work = WorkPool.create(WorkPool.threads(), maxQueuedWork, up.effectiveMaxUnverifiedBytes());
        closeables.add(PullMetrics.bindWork(registry, work));
        QueryPool queries = QueryPool.perCore("rproxy-pull-query");
        closeables.add(queries);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("rproxy-pull-refresh"));
        closeables.add(scheduler::shutdownNow);
        List<AutoCloseable> clients = new ArrayList<>();
        Upstream client = UpstreamParts.connect(up, verifier, work.unbounded(), scheduler, clients);
        closeables.addAll(0, clients);
        BodySpool spool = BodySpool.of(config.cache());
        if (spool != null) {
            closeables.add(spool); // last: after the front end has stopped sending its files
        }
        store = RepresentationStore.boundedBy(config.cache().maxBytes().bytes(), spool);
        PullMetrics metrics = new PullMetrics(registry, store, clock);
        via = "1.1 " + config.name();
        EntryFetch fetcher = new EntryFetch(client, new Admission(verifier, via, clock), new Rejections(metrics), metrics, work, via);
        feed = new PullFeed(PullFeed.Settings.of(config.refresh(), UpstreamParts.prefetch(up)), store, fetcher, metrics, clock, scheduler);
        closeables.add(0, feed);
        feed.addChangeListener(UpstreamParts.learner(keys, clock));
        FrontEndConfig fe = FrontEndConfig.defaults(config.listen().address().host(), config.listen().address().port())
                .withDialectOf(Dialects::of).withMaxConnections(config.listen().maxConnections())
                .withSendBufferBytes(config.listen().sendBufferBytes()).withMaxBodyBytes(config.listen().maxRequestBodyBytes())
                .withSslContext(config.listen().tls() == null ? null : Tls.server(config.listen().tls()))
                .withSpool(spool);
        if (config.queries() == ProxyConfig.Queries.LOCAL) {
            local = new CurrentAnswers(feed, work.unbounded(), clock, via, config.limits().queryLimits(),
                    (delay, task) -> scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
                    () -> ThreadLocalRandom.current().nextDouble());
            feed.addChangeListener(local::changed);
        }
        server = AltoHttpServer.start(fe, requireNonNull(wrapFront.apply(new PullService(feed, work, queries, local, metrics,
                NotFoundMemory.of(config.cache().notFoundFor(), config.cache().notFoundEntries(), clock))),
                "wrapFront"), new RequestMetrics(registry).andThen(new AccessLog()));
        closeables.add(0, server);
        FrontEndMeters.bind(registry, server);
        baseUri = (fe.sslContext() != null ? "https://" : "http://") + Address.of(server.localAddress());
        if (config.admin() != null) {
            if (!config.admin().address().isLoopback()) {
                LOG.warn("admin listener on {} is not loopback: /metrics is open to that network", config.admin().address());
            }
            admin = AdminServer.start(config.admin().address(), registry, this::notReadyBecause);
            closeables.add(0, admin);
        }
        feed.start();
        if (local != null) {
            local.start();
        }
        LOG.debug("proxy {} on {}, fetching from {}", config.name(), baseUri, up.urls()); // the node's own line: the app's
    }

    /** The keys this proxy accepts signatures from: those configured and those its upstream's directory lists. */
    public TrustedKeys trustedKeys() {
        return keys;
    }

    /** The bound front-end address. */
    public InetSocketAddress address() {
        return server.localAddress();
    }

    /** {@code http://host:port} (or https) of the front end. */
    public String baseUri() {
        return baseUri;
    }

    /** The admin listener's address, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    /** The meters, as {@code /metrics} shows them. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The directory of this proxy's spool files (large bodies sent with sendfile), or null when it spools none. */
    public Path spoolDirectory() {
        return store.spool() == null ? null : store.spool().directory();
    }

    /** Bytes held by the store now. */
    public long heldBytes() {
        return store.weightedBytes();
    }

    /**
     * Null when every tracked resource holds a valid copy and every added check passes, else every
     * reason, joined by {@code "; "}, as {@code /readyz} says ({@link Reasons}: items named up to a bound).
     */
    public String notReadyBecause() {
        List<String> why = new ArrayList<>();
        why.add(feed.notReadyBecause());
        if (local != null) {
            why.add(local.notReadyBecause());
        }
        // Last: a part that takes what this proxy holds (an update stream) must have taken
        // everything held by the time the checks above passed.
        readinessChecks.forEach(check -> why.add(check.notReadyBecause()));
        why.removeIf(Objects::isNull);
        return why.isEmpty() ? null : String.join("; ", why);
    }

    /** Adds a check to readiness: a part composed with this proxy that must be ready too. */
    public void addReadinessCheck(AdminServer.Readiness check) {
        readinessChecks.add(requireNonNull(check, "check"));
    }

    /**
     * Runs one refresher pass now and completes when the upstream attempts it started have
     * ended. The scheduler does this every {@code refresh.tick}; tests call it instead of waiting.
     */
    public CompletableFuture<Void> refreshNow() {
        return feed.refreshNow();
    }

    /**
     * Holds {@code verified} for a GET of {@code target} as if pull had fetched it now (entry and
     * store); the caller must have verified it against the trusted keys for that target. Returns
     * false, holding nothing, when the copy held is newer (by {@code created}) or it has expired.
     */
    public boolean offer(String target, Representation verified) {
        requireNonNull(target, "target");
        requireNonNull(verified, "verified");
        return feed.offer(target, verified, via);
    }

    /**
     * Calls {@code listener} with each signed copy held for a GET target (fetched, revalidated or
     * offered), on the thread that held it, and at once with each held already, so a listener
     * added after the start misses nothing (it may hear a copy twice); it must not block.
     */
    public void addChangeListener(BiConsumer<String, Representation> listener) {
        feed.addChangeListener(listener);
    }

    /**
     * Calls {@code listener} with each GET target the upstream answered {@code 404} or
     * {@code 410} for while this proxy held or tracked it (a map retired at the origin), once the
     * copy held is dropped, on the thread that dropped it; it must not block.
     */
    public void addGoneListener(Consumer<String> listener) {
        feed.addGoneListener(listener);
    }

    /** The GET targets for which a signed copy is held now, valid or not (a snapshot). */
    public Set<String> heldSignedTargets() {
        return feed.heldSignedTargets();
    }

    /**
     * Keeps the targets {@code targets} lists fetched and fresh as if clients asked for them at
     * every refresher pass (the documents an update stream mounted on this front end follows, so
     * that its subscribers see each new version as soon as a revalidation brings it). Called on
     * the refresher thread every {@code refresh.tick}; it must not block.
     */
    public void keepFresh(Supplier<? extends Collection<String>> targets) {
        feed.keepFresh(targets);
    }

    /**
     * Calls {@code listener} whenever query answers computed here may have changed (with
     * {@code queries: local}, each time the set of parsed maps is swapped in; with
     * {@code queries: upstream}, never: forwarded answers follow the upstream's). It runs on a
     * worker thread and must not block.
     */
    public void addAnswersListener(Runnable listener) {
        requireNonNull(listener, "listener");
        if (local != null) {
            local.addRebuiltListener(listener);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", c, e);
            }
        }
        closeables.clear();
    }
}
