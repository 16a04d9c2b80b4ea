package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.config.Address;
import org.rproxy.core.metrics.AdminServer;
import org.rproxy.core.metrics.NodeMeters;
import org.rproxy.core.metrics.RequestMetrics;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.query.QueryPool;
import org.rproxy.core.server.AccessLog;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.UpdateStreamMount;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running file origin: loads the maps folder, signs every document, serves them from the
 * Netty front end and re-signs them at half their validity so that signatures never run out
 * while the process lives. Each signing gives new entity tags, so a cache revalidating across a
 * re-signing gets the new signature with the body, never a 304 it might not merge. The keys
 * file ({@link OriginKeys}) is read again every second: a changed set of keys is published and
 * every document signed again with the signing key, which is how an operator rotates the key.
 *
 * <p>Signing and query computation run on the origin's own threads; the event loop only looks
 * up prepared representations. {@link #close()} stops everything it started.
 */
public final class Origin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Origin.class);

    /** How long the maps folder must stay quiet after a change before it is reloaded. */
    private static final Duration WATCH_QUIET = Duration.ofMillis(150);

    private final OriginConfig config;
    /** The keys and the signer of the signing one; replaced together on the publishing thread. */
    private volatile OriginKeys keys;
    private volatile DocumentSigner signer;
    private final Clock clock;
    private final ScheduledExecutorService publisher;
    private final QueryPool queries;
    private final OriginService service;
    private final XmlCodec xml = new XmlCodec();
    private final UpdateStreamMount stream;
    private volatile Catalog catalog;
    /** What {@link #catalog} is served as: its documents signed. Written on the publishing thread. */
    private volatile Map<String, Representation> signed = Map.of();
    private AltoHttpServer server;
    private MapsWatcher watcher;
    private AdminServer admin;
    private final NodeMeters meters = new NodeMeters();
    private final PrometheusMeterRegistry registry = meters.registry();
    private String serverUri;

    private Origin(OriginConfig config, OriginKeys keys, Clock clock, UpdateStreamMount stream) {
        this.config = config;
        this.stream = stream;
        this.keys = keys;
        this.clock = clock;
        this.signer = new DocumentSigner(new ResponseSigner(keys.signing()), config.validity(), config.maxAge());
        this.publisher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("rproxy-origin-publisher"));
        this.queries = QueryPool.perCore("rproxy-origin-query");
        this.service = new OriginService(queries, clock, config.queryLimits());
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
        requireNonNull(config.maps(), "maps");
        return start(config, () -> MapsFolder.load(config.maps(), config.maxMapFileBytes()), null, clock, stream);
    }

    /**
     * Starts an origin whose maps come from {@code source} (the signing front), loaded now and
     * then every {@code reloadEvery}: changed maps are published and signed, a failed load keeps
     * the previous ones.
     *
     * @param reloadEvery how often to load again, or null never to
     */
    public static Origin start(OriginConfig config, MapSource source, Duration reloadEvery, Clock clock)
            throws IOException {
        return start(config, source, reloadEvery, clock, null);
    }

    /**
     * As {@link #start(OriginConfig, MapSource, Duration, Clock)}, with an update stream mounted
     * (null: none): the signing front streams each change it reads and signs, and each re-signing.
     */
    public static Origin start(OriginConfig config, MapSource source, Duration reloadEvery, Clock clock,
                               UpdateStreamMount stream) throws IOException {
        requireNonNull(config, "config");
        requireNonNull(source, "source");
        OriginKeys keys = OriginKeys.read(config.key());
        MapSet maps = source.load();
        Origin origin = new Origin(config, keys, clock, stream);
        try {
            origin.startServing(maps);
            KeysReload reload = new KeysReload(config.key(), keys);
            long poll = KeysReload.EVERY.toMillis();
            origin.publisher.scheduleWithFixedDelay(() -> origin.rotateSafely(reload), poll, poll, TimeUnit.MILLISECONDS);
            if (reloadEvery != null) {
                long period = Math.max(1, reloadEvery.toMillis());
                origin.publisher.scheduleWithFixedDelay(() -> origin.reloadSafely(source), period, period,
                        TimeUnit.MILLISECONDS);
            }
        } catch (IOException | RuntimeException e) {
            origin.close();
            throw e;
        }
        return origin;
    }

    /** Runs on the publisher: a changed source becomes a new version, a failed load keeps the current one. */
    private void reloadSafely(MapSource source) {
        try {
            publishChange(source.load());
        } catch (IOException | RuntimeException e) {
            log.warn("reloading the maps failed; the previous ones stay: {}", e.getMessage());
        }
    }

    private void startServing(MapSet maps) throws IOException {
        FrontEndConfig fe = config.frontEnd().withDialectOf(Dialect::ofPath);
        // Bind first so the capability can name the real port when port 0 was asked for.
        server = AltoHttpServer.start(fe, stream == null ? service : stream.mount(service),
                new RequestMetrics(registry).andThen(new AccessLog()));
        serverUri = config.publicUri() != null ? config.publicUri()
                : (fe.sslContext() != null ? "https://" : "http://") + Address.of(server.localAddress());
        publish(maps);
        long period = Math.max(1, config.validity().toSeconds() / 2);
        publisher.scheduleAtFixedRate(this::resignSafely, period, period, TimeUnit.SECONDS);
        if (config.maps() != null) {
            watcher = new MapsWatcher(config.maps(), config.maxMapFileBytes(), WATCH_QUIET, config.deleteSettle(),
                    changed -> publisher.execute(() -> publishChange(changed)), reason -> { });
        }
        log.info("origin serving {} documents on {} (keyid {})", catalog.documents().size(), serverUri, keyId());
    }

    /** Builds the catalog for {@code maps}, signs every document and swaps it in. */
    void publish(MapSet maps) {
        Catalog c = catalogOf(maps);
        install(c, signer.signAll(c.documents(), clock.instant()));
    }

    /** A reloaded folder becomes a new version only when some document's bytes changed. */
    private void publishChange(MapSet maps) {
        try {
            Catalog before = catalog;
            Catalog after = catalogOf(maps);
            if (before.sameDocumentsAs(after)) {
                return;
            }
            Map<String, Representation> now = signer.signChanged(after.documents(), before.documents(), signed,
                    clock.instant());
            long changed = now.entrySet().stream().filter(e -> e.getValue() != signed.get(e.getKey())).count();
            install(after, now);
            log.info("maps folder changed: published a new version of {} of {} documents", changed,
                    after.documents().size());
        } catch (RuntimeException e) {
            log.error("publishing the changed maps failed; the previous version stays", e);
        }
    }

    /**
     * Serves {@code signed} and tells the update stream, if one is mounted. The answers are built
     * first: a set they refuse changes nothing, so the catalog being re-signed stays the one served.
     */
    private void install(Catalog c, Map<String, Representation> signed) {
        service.install(c, signed, config.maxAge());
        this.catalog = c;
        this.signed = signed;
        if (stream != null) {
            try {
                stream.installed(Map.copyOf(signed));
            } catch (RuntimeException e) {
                log.error("the update stream refused the new documents", e);
            }
        }
    }

    /** The documents {@code maps} make with the keys, proxies and stream published now. */
    private Catalog catalogOf(MapSet maps) {
        return new Catalog(maps, keys.jwks(), config.proxies(), config.instanceName(), serverUri, xml,
                stream == null ? null : stream.path(), config.overlay());
    }

    /**
     * Runs on the publisher: keys changed in the keys file are published at once (a new directory
     * and capability listing them) and every document is signed again with the signing key.
     */
    private void rotateSafely(KeysReload reload) {
        try {
            OriginKeys next = reload.poll();
            if (next == null) {
                return;
            }
            keys = next;
            signer = new DocumentSigner(new ResponseSigner(next.signing()), config.validity(), config.maxAge());
            publish(catalog.maps());
            log.info("keys changed: signing with keyid {}, publishing {}", keyId(), publishedKeyIds());
        } catch (RuntimeException e) {
            log.error("applying the changed keys failed; the documents signed before stay", e);
        }
    }

    private void resignSafely() {
        try {
            Catalog c = catalog;
            install(c, signer.signAll(c.documents(), clock.instant()));
            log.debug("re-signed {} documents", c.documents().size());
        } catch (RuntimeException e) {
            log.error("re-signing failed; the previous signatures stay until they expire", e);
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
        return keys.signing().publicKey().keyId();
    }

    /** The key ids published in the directory and capability, the signing key's first. */
    public List<String> publishedKeyIds() {
        return keys.keyIds();
    }

    public int resourceCount() {
        return catalog.documents().size();
    }

    Duration validity() {
        return config.validity();
    }

    /**
     * Starts the admin listener ({@code /metrics}, {@code /healthz}, {@code /readyz}) on
     * {@code address}: requests served by path and status, so a load test can read what the
     * origin itself had to answer. Keep it on loopback.
     */
    public synchronized InetSocketAddress startAdmin(Address address) {
        if (admin == null) {
            admin = AdminServer.start(address, registry, () -> catalog == null ? "not yet published" : null);
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
        if (server != null) {
            server.close();
        }
        publisher.shutdownNow();
        queries.close();
        meters.close();
    }
}
