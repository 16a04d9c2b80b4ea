package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.config.Address;
import org.rproxy.core.metrics.AdminServer;
import org.rproxy.core.metrics.FrontEndMeters;
import org.rproxy.core.metrics.NodeMeters;
import org.rproxy.core.metrics.RequestMetrics;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.query.QueryPool;
import org.rproxy.core.server.AccessLog;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.UpdateStreamMount;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running file origin: loads the maps folder, signs every document, serves them from the
 * Netty front end and re-signs them at half their validity so that signatures never run out
 * while the process lives (a re-signing that fails is tried again within seconds, see
 * {@link Resigning}). Each signing gives new entity tags, so a cache revalidating across a
 * re-signing gets the new signature with the body, never a 304 it might not merge. The keys
 * file ({@link OriginKeys}) is read again every second: a changed set of keys is published and
 * every document signed again with the signing key, which is how an operator rotates the key.
 *
 * <p>Signing and query computation run on the origin's own threads; the event loop only looks
 * up prepared representations. The signing front's reads of its server run on a thread of their
 * own ({@link SourcePolls}), so that re-signing never waits for a slow server; the publisher
 * only signs and publishes what they bring. {@link #close()} stops everything it started.
 */
public final class Origin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Origin.class);

    /** How long the maps folder must stay quiet after a change before it is reloaded. */
    private static final Duration WATCH_QUIET = Duration.ofMillis(150);

    private final OriginConfig config;
    /** The signed documents served, and how they change. */
    private final SignedVersions versions;
    private final ScheduledExecutorService publisher;
    /** Runs every task of the publisher and the watcher: what they throw is logged, a fatal error stops the node. */
    private final TaskGuard guard;
    private final QueryPool queries;
    private final OriginService service;
    private final UpdateStreamMount stream;
    private AltoHttpServer server;
    private MapsWatcher watcher;
    private AdminServer admin;
    private final NodeMeters meters = new NodeMeters();
    private final PrometheusMeterRegistry registry = meters.registry();
    private String serverUri;
    /** The signing front's polls of its source, off the publisher; null for a maps folder. */
    private SourcePolls polls;
    /**
     * 1 while the last maps read was refused (it does not read, or publishing it failed), shown as
     * {@code rproxy_maps_refused}: the documents served, and so every proxy's, stay the last good
     * version however fresh they look, which only the log said.
     */
    private final AtomicInteger mapsRefused = new AtomicInteger();
    /** The newest maps read (of the folder, or by the front's polls) not yet published: one waits at most. */
    private final LatestMaps changes;

    private Origin(OriginConfig config, OriginKeys keys, Clock clock, UpdateStreamMount stream, TaskGuard guard) {
        this.config = config;
        this.guard = guard;
        this.stream = stream;
        this.publisher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("rproxy-origin-publisher"));
        this.queries = QueryPool.perCore("rproxy-origin-query");
        this.service = new OriginService(queries, clock, config.queryLimits());
        this.versions = new SignedVersions(config, keys, clock, service, stream, new ServedVersionMeters(registry));
        this.changes = new LatestMaps(publisher, maps -> guard.guard("publishing the changed maps",
                () -> mapsRefused.set(versions.publishChange(maps) ? 0 : 1)).run());
        Gauge.builder("rproxy.maps.refused", mapsRefused, AtomicInteger::get)
                .description("1 while the last change of the maps was refused (the last good version is served), else 0")
                .register(registry);
        if (stream != null) {
            stream.bindTo(registry); // its subscribers and versions on the origin's /metrics
        }
    }

    /**
     * Loads, signs and starts serving. Fails before binding when the key or a map is bad, with a
     * message naming the file, the field and the reason.
     */
    public static Origin start(OriginConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    public static Origin start(OriginConfig config, Clock clock) throws IOException {
        return start(config, clock, null);
    }

    /** As {@link #start(OriginConfig, Clock)}, with an update stream mounted (null: none). */
    public static Origin start(OriginConfig config, Clock clock, UpdateStreamMount stream) throws IOException {
        requireNonNull(config, "config");
        return start(config, clock, stream, MapsWatcher.loader(config.maxMapFileBytes(), config.mapsLimits()));
    }

    /**
     * As {@link #start(OriginConfig, Clock, UpdateStreamMount)}, the folder read by {@code loader}.
     * The folder is watched before it is first read, so a file changed while the origin starts is
     * loaded once it serves, and the deletion hold starts from the files that first load read.
     */
    static Origin start(OriginConfig config, Clock clock, UpdateStreamMount stream, MapsWatcher.Loader loader)
            throws IOException {
        return start(config, clock, stream, loader, WATCH_QUIET);
    }

    /**
     * As {@link #start(OriginConfig, Clock, UpdateStreamMount, MapsWatcher.Loader)}, the folder
     * taken as quiet after {@code quiet} without a change: a test whose writer pauses between
     * writes sets it far above those pauses, so that a loaded machine's scheduling cannot
     * stretch one into a quiet period.
     */
    static Origin start(OriginConfig config, Clock clock, UpdateStreamMount stream, MapsWatcher.Loader loader,
                        Duration quiet) throws IOException {
        requireNonNull(config.maps(), "maps");
        MapsWatcher watcher = new MapsWatcher(config.maps(), quiet, config.deleteSettle(), loader);
        try {
            return start(config, watcher::loadFirst, null, clock, stream, watcher, TaskGuard.EXITING);
        } catch (IOException | RuntimeException e) {
            watcher.close();
            throw e;
        }
    }

    /**
     * Starts an origin whose maps come from {@code source} (the signing front), loaded now and
     * then every {@code reloadEvery} on a thread of their own ({@link SourcePolls}): changed maps
     * are published and signed, a failed load keeps the previous ones, and a slow load never
     * holds re-signing.
     *
     * @param reloadEvery how often to load again, or null never to
     */
    public static Origin start(OriginConfig config, MapSource source, Duration reloadEvery, Clock clock)
            throws IOException {
        return start(config, source, reloadEvery, clock, (UpdateStreamMount) null);
    }

    /**
     * As {@link #start(OriginConfig, MapSource, Duration, Clock)}, with an update stream mounted
     * (null: none): the signing front streams each change it reads and signs, and each re-signing.
     */
    public static Origin start(OriginConfig config, MapSource source, Duration reloadEvery, Clock clock,
                               UpdateStreamMount stream) throws IOException {
        return start(config, source, reloadEvery, clock, stream, null, TaskGuard.EXITING);
    }

    /** As {@link #start(OriginConfig, MapSource, Duration, Clock)}, its tasks run under {@code guard}. */
    static Origin start(OriginConfig config, MapSource source, Duration reloadEvery, Clock clock, TaskGuard guard)
            throws IOException {
        return start(config, source, reloadEvery, clock, null, null, guard);
    }

    /** @param watcher the maps folder's, loaded from by {@code source} and started once the origin serves; or null */
    private static Origin start(OriginConfig config, MapSource source, Duration reloadEvery, Clock clock,
                                UpdateStreamMount stream, MapsWatcher watcher, TaskGuard guard) throws IOException {
        requireNonNull(config, "config");
        requireNonNull(source, "source");
        OriginKeys keys = OriginKeys.read(config.key());
        MapSet maps = source.load();
        Origin origin = new Origin(config, keys, clock, stream, guard);
        origin.watcher = watcher;
        try {
            origin.startServing(maps);
            KeysReload reload = new KeysReload(config.key(), keys, config.keysPoll());
            long poll = config.keysPoll().toMillis();
            origin.publisher.scheduleWithFixedDelay(guard.guard("reading the keys file",
                    () -> origin.versions.rotateSafely(reload)), poll, poll, TimeUnit.MILLISECONDS);
            if (reloadEvery != null) {
                origin.polls = new SourcePolls(source, maps, origin.changes::offer);
                origin.polls.start(reloadEvery, guard);
            }
        } catch (IOException | RuntimeException e) {
            origin.close();
            throw e;
        }
        return origin;
    }

    private void startServing(MapSet maps) throws IOException {
        FrontEndConfig fe = config.frontEnd().withDialectOf(Dialect::ofPath);
        // Bind first so the capability can name the real port when port 0 was asked for.
        server = AltoHttpServer.start(fe, stream == null ? service : stream.mount(service),
                new RequestMetrics(registry).andThen(new AccessLog()));
        FrontEndMeters.bind(registry, server);
        serverUri = config.publicUri() != null ? config.publicUri()
                : (fe.sslContext() != null ? "https://" : "http://") + Address.of(server.localAddress());
        versions.publish(maps, serverUri);
        new Resigning(publisher, config.validity(), versions::resign, versions::earliestExpiry, guard).start();
        if (watcher != null) {
            watcher.start(changes::offer, reason -> refused(), guard);
        }
        log.info("origin serving {} documents on {} (keyid {})", resourceCount(), serverUri, keyId());
    }

    /**
     * Shows the folder's last state refused ({@code rproxy_maps_refused} 1), on the publisher,
     * behind the state the watcher handed it before: set at once on the watcher's thread, a
     * change still being signed set it back to 0 once served, although the folder's last state,
     * read after it, was refused.
     */
    private void refused() {
        try {
            publisher.execute(() -> mapsRefused.set(1));
        } catch (RejectedExecutionException closing) {
            log.debug("maps refused while the origin closes");
        }
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    /** {@code http://host:port} (https with TLS) of this origin, or the public URI it was given. */
    public String baseUri() {
        return serverUri;
    }

    /** The key id of the signing key. */
    public String keyId() {
        return versions.keyId();
    }

    /** The key ids published in the directory and capability, the signing key's first. */
    public List<String> publishedKeyIds() {
        return versions.publishedKeyIds();
    }

    public int resourceCount() {
        return versions.catalog().documents().size();
    }

    Duration validity() {
        return config.validity();
    }

    /** The maps folder's state loaded and waiting to be published, or null; for tests. */
    MapSet waitingChange() {
        return changes.waiting();
    }

    /** Completes once the publisher has run every task handed to it before this call; for tests. */
    CompletableFuture<Void> publisherPassed() {
        return CompletableFuture.runAsync(() -> { }, publisher);
    }

    /**
     * Starts the admin listener ({@code /metrics}, {@code /healthz}, {@code /readyz}) on
     * {@code address}: requests served by path and status, so a load test can read what the
     * origin itself had to answer. Keep it on loopback.
     */
    public synchronized InetSocketAddress startAdmin(Address address) {
        if (admin == null) {
            admin = AdminServer.start(address, registry, () -> versions.catalog() == null ? "not yet published" : null);
        }
        return admin.localAddress();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (polls != null) {
            polls.close();
        }
        if (server != null) {
            server.close();
        }
        publisher.shutdownNow();
        queries.close();
        meters.close();
    }
}
