package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.concurrent.FatalErrors;
import org.rproxy.core.concurrent.GuardedThread;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ListenConfig;
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
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.tls.Tls;
import org.rproxy.core.upstream.Upstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a {@link PullProxy}, built from its config by {@link #assemble} (one method per
 * part, in the order they depend on each other), and stopped by {@link #close} in the order they
 * must stop: first what serves or fetches, newest first (the admin listener, the front end, the
 * feed, the upstream clients), then what those ran on, in the order it was made (the meters, the
 * work pool, the query pool, the refresher's scheduler, and the spool last, once the front end has
 * stopped sending its files). When a part fails to start, {@link #close} stops those started
 * before it.
 */
final class PullAssembly implements AutoCloseable {
    /** The proxy's own logger: its start and its parts' failures to stop are the proxy's news. */
    private static final Logger LOG = LoggerFactory.getLogger(PullProxy.class);

    private final ProxyConfig config;
    private final Clock clock;
    private final String via;
    private final NodeMeters meters = new NodeMeters();
    /** What serves or fetches: stopped first, the last started first. */
    private final List<AutoCloseable> active = new ArrayList<>();
    /** What the active parts run on: stopped after them, in the order made. */
    private final List<AutoCloseable> underlying = new ArrayList<>();
    private TrustedKeys keys;
    private ResponseVerifier verifier;
    private RepresentationStore<CacheKey> store;
    private PullFeed feed;
    private CurrentAnswers local;
    private AltoHttpServer server;
    private AdminServer admin;
    private String baseUri;

    PullAssembly(ProxyConfig config, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.via = "1.1 " + config.name();
    }

    /**
     * Builds and starts every part: the front end serves {@code wrapFront} applied to the pull
     * service, at most {@code maxQueuedWork} tasks wait for the worker threads, and the admin
     * listener (when configured) answers {@code /readyz} with {@code readiness}.
     */
    void assemble(UnaryOperator<AltoService> wrapFront, int maxQueuedWork, AdminServer.Readiness readiness) {
        underlying.add(meters);
        UpstreamConfig up = config.upstream();
        keys = UpstreamParts.trust(up);
        verifier = new ResponseVerifier(keys, clock);
        PullMetrics.bindVerifier(meters.registry(), verifier);
        WorkPool work = workPool(maxQueuedWork);
        QueryPool queries = stopsAfter(QueryPool.perCore("rproxy-pull-query"));
        ScheduledExecutorService scheduler = refreshScheduler();
        Upstream upstream = upstream(verifier, work, scheduler);
        BodySpool spool = spool();
        store = RepresentationStore.boundedBy(config.cache().maxBytes().bytes(), spool);
        PullMetrics metrics = new PullMetrics(meters.registry(), store, clock);
        feed = feed(upstream, verifier, work, metrics, scheduler);
        FrontEndConfig frontEnd = frontEndConfig(spool);
        if (config.queries() == ProxyConfig.Queries.LOCAL) {
            local = localAnswers(work, scheduler);
        }
        feed.start(); // before the front end: a request from the first moment waits for the directory
        server = frontEnd(frontEnd, wrapFront.apply(new PullService(feed, work, queries, local, metrics,
                NotFoundMemory.of(config.cache().notFoundFor(), config.cache().notFoundEntries(), clock))));
        baseUri = (frontEnd.sslContext() != null ? "https://" : "http://") + Address.of(server.localAddress());
        if (config.admin() != null) {
            admin = adminListener(readiness);
        }
        if (local != null) {
            local.start();
        }
        // the node's own line is the app's
        LOG.debug("proxy {} on {}, fetching from {}", config.name(), baseUri, up.urls());
    }

    /** The worker threads, bounded by {@code maxQueuedWork} tasks waiting, with their gauges. */
    private WorkPool workPool(int maxQueuedWork) {
        WorkPool work = stopsAfter(WorkPool.create(WorkPool.threads(), maxQueuedWork,
                config.upstream().effectiveMaxUnverifiedBytes()));
        PullMetrics.bindWorkPool(meters.registry(), work);
        return work;
    }

    /** The refresher's thread, which the failover's health checks and local answers use too. */
    private ScheduledExecutorService refreshScheduler() {
        // guarded: a plain executor kept a fatal error in the periodic pass's future and stopped
        // refreshing without a word
        ScheduledExecutorService scheduler =
                new GuardedThread("rproxy-pull-refresh", "pull refresher", LOG, FatalErrors.EXIT);
        underlying.add(scheduler::shutdownNow);
        return scheduler;
    }

    /** The upstream: a client per URL, behind a failover when there are several. */
    private Upstream upstream(ResponseVerifier verifier, WorkPool work, ScheduledExecutorService scheduler) {
        List<AutoCloseable> clients = new ArrayList<>();
        Upstream upstream = UpstreamParts.connect(config.upstream(), verifier, work.unbounded(), scheduler, clients);
        active.add(() -> stopEach(clients)); // in the order started
        return upstream;
    }

    /** The pull feed over {@link #store}, learning the keys each directory it holds lists. */
    private PullFeed feed(Upstream upstream, ResponseVerifier verifier, WorkPool work, PullMetrics metrics,
                          ScheduledExecutorService scheduler) {
        EntryFetch fetcher = new EntryFetch(upstream, new Admission(verifier, via, clock), new Rejections(metrics),
                metrics, work, via);
        PullFeed.Settings settings = PullFeed.Settings.of(config.refresh(), UpstreamParts.prefetch(config.upstream()));
        PullFeed pull = started(new PullFeed(settings, store, fetcher, metrics, clock, scheduler));
        pull.addChangeListener(UpstreamParts.learner(keys, clock));
        return pull;
    }

    /** The files large bodies are sent from ({@code cache}), or null when it spools none. */
    private BodySpool spool() {
        BodySpool spool = BodySpool.of(config.cache());
        if (spool != null) {
            underlying.add(spool); // last: after the front end has stopped sending its files
        }
        return spool;
    }

    /** The front end's settings from {@code listen}; its files sent from {@code spool} (null: none). */
    private FrontEndConfig frontEndConfig(BodySpool spool) {
        ListenConfig listen = config.listen();
        return FrontEndConfig.defaults(listen.address().host(), listen.address().port())
                .withDialectOf(Dialects::of).withMaxConnections(listen.maxConnections())
                .withMaxConnectionsPerAddress(listen.connectionsPerAddress())
                .withSendBufferBytes(listen.sendBufferBytes()).withMaxBodyBytes(listen.maxRequestBodyBytes())
                .withMaxUnfinishedStreams(listen.maxUnfinishedStreams()).withMaxStreams(listen.maxConcurrentStreams())
                .withMaxPendingSendBytes(listen.pendingAnswerBytes()).withMaxAnswersHeld(listen.answersHeld())
                .withDrainTimeout(listen.drainTimeout())
                .withSslContext(listen.tls() == null ? null : Tls.server(listen.tls()))
                .withSpool(spool);
    }

    /** Query answers computed here from the maps the feed holds ({@code queries: local}). */
    private CurrentAnswers localAnswers(WorkPool work, ScheduledExecutorService scheduler) {
        CurrentAnswers answers = new CurrentAnswers(feed, work.unbounded(), clock, via, config.limits().queryLimits(),
                (delay, task) -> scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
                () -> ThreadLocalRandom.current().nextDouble());
        feed.addChangeListener(answers::changed);
        answers.addRebuiltListener(() -> feed.refit(answers.current().behind()));
        return answers;
    }

    /** The front end serving {@code service}, with its request meters and access log. */
    private AltoHttpServer frontEnd(FrontEndConfig frontEnd, AltoService service) {
        MeterRegistry registry = meters.registry();
        AltoHttpServer started = started(AltoHttpServer.start(frontEnd, requireNonNull(service, "wrapFront"),
                new RequestMetrics(registry).andThen(new AccessLog())));
        FrontEndMeters.bind(registry, started);
        return started;
    }

    /** The admin listener ({@code /metrics}, {@code /readyz}); a warning when it is not on loopback. */
    private AdminServer adminListener(AdminServer.Readiness readiness) {
        if (!config.admin().address().isLoopback()) {
            LOG.warn("admin listener on {} is not loopback: /metrics is open to that network",
                    config.admin().address());
        }
        return started(AdminServer.start(config.admin().address(), meters.registry(), readiness));
    }

    /** Adds {@code part} to what stops first (before what started earlier); returns it. */
    private <T extends AutoCloseable> T started(T part) {
        active.add(part);
        return part;
    }

    /** Adds {@code part} to what stops after the active parts (after what was made earlier); returns it. */
    private <T extends AutoCloseable> T stopsAfter(T part) {
        underlying.add(part);
        return part;
    }

    ProxyConfig config() {
        return config;
    }

    Clock clock() {
        return clock;
    }

    /** The {@code Via} value this proxy adds: {@code 1.1 <name>}. */
    String via() {
        return via;
    }

    MeterRegistry registry() {
        return meters.registry();
    }

    /** The live key set: trusted by this proxy's verifiers, learning from the directories it holds. */
    TrustedKeys keys() {
        return keys;
    }

    /** The verifier on {@link #keys} by this proxy's clock: the one its feed verifies with. */
    ResponseVerifier verifier() {
        return verifier;
    }

    RepresentationStore<CacheKey> store() {
        return store;
    }

    PullFeed feed() {
        return feed;
    }

    /** The answers computed here, or null with {@code queries: upstream}. */
    CurrentAnswers local() {
        return local;
    }

    AltoHttpServer server() {
        return server;
    }

    /** The admin listener, or null when it is off. */
    AdminServer admin() {
        return admin;
    }

    String baseUri() {
        return baseUri;
    }

    @Override
    public void close() {
        List<AutoCloseable> order = new ArrayList<>(active);
        Collections.reverse(order);
        order.addAll(underlying);
        active.clear();
        underlying.clear();
        stopEach(order);
    }

    /** Closes each of {@code parts} in order; one that fails is logged and the next closed all the same. */
    private static void stopEach(List<AutoCloseable> parts) {
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", c, e);
            }
        }
    }
}
