package org.rproxy.core.metrics;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.config.Address;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * The admin listener of a proxy: {@code GET /metrics} (Prometheus text format, from Micrometer),
 * {@code GET /healthz} (200 while the process serves) and {@code GET /readyz} (200 once the
 * readiness check passes, else 503 with the reason). Off unless configured; meant for loopback.
 *
 * <p>Served by its own {@link AltoHttpServer}, with its own acceptor and event loop (one thread)
 * and its own connection limit, so it keeps answering while the data port is saturated; scraping
 * runs on one admin thread, never on the event loop. {@link #close} stops both.
 */
public final class AdminServer implements AutoCloseable {
    /** The Prometheus text exposition format, version 0.0.4. */
    static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final AltoHttpServer server;
    private final ExecutorService scraper;

    private AdminServer(AltoHttpServer server, ExecutorService scraper) {
        this.server = server;
        this.scraper = scraper;
    }

    /**
     * A readiness check: null when ready, else the reason it is not (shown in the 503 body).
     */
    @FunctionalInterface
    public interface Readiness {
        String notReadyBecause();
    }

    /** Binds {@code address} and starts answering. */
    public static AdminServer start(Address address, PrometheusMeterRegistry registry, Readiness readiness) {
        requireNonNull(address, "address");
        requireNonNull(registry, "registry");
        requireNonNull(readiness, "readiness");
        ExecutorService scraper = Executors.newSingleThreadExecutor(DaemonThreads.named("rproxy-admin"));
        try {
            AltoHttpServer server = AltoHttpServer.start(
                    FrontEndConfig.defaults(address.host(), address.port()).withMaxConnections(64).withIoThreads(1),
                    new Service(registry, readiness, scraper, Clock.systemUTC()));
            return new AdminServer(server, scraper);
        } catch (RuntimeException e) {
            scraper.shutdownNow();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public void close() {
        server.close();
        scraper.shutdownNow();
    }

    /** Routes the three admin paths. Runs on the admin event loop; scrapes on the admin thread. */
    static final class Service implements AltoService {
        private static final String GET_ONLY = "GET, HEAD";
        private static final Set<String> PATHS = Set.of("/metrics", "/healthz", "/readyz");

        private final PrometheusMeterRegistry registry;
        private final Readiness readiness;
        private final ExecutorService scraper;
        private final Clock clock;

        Service(PrometheusMeterRegistry registry, Readiness readiness, ExecutorService scraper, Clock clock) {
            this.registry = registry;
            this.readiness = readiness;
            this.scraper = scraper;
            this.clock = clock;
        }

        @Override
        public CompletionStage<Reply> handle(AltoRequest request) {
            if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                return done(new Reply.Error(AltoError.invalidValue("method", request.method(),
                        "the admin listener answers GET only").withStatus(405), Dialect.JSON, GET_ONLY));
            }
            switch (request.path()) {
                case "/metrics":
                    return async(() -> text(METRICS_TYPE, registry.scrape()));
                case "/healthz":
                    return done(text("text/plain; charset=utf-8", "ok\n"));
                case "/readyz":
                    return async(this::ready);
                default:
                    return done(Reply.error(AltoError.invalidValue("uri", request.path(),
                            "no such resource (try /metrics, /healthz, /readyz)").withStatus(404), Dialect.JSON));
            }
        }

        @Override
        public String allow(String path) {
            return PATHS.contains(path) ? GET_ONLY : null;
        }

        private Reply ready() {
            String why = readiness.notReadyBecause();
            if (why == null) {
                return text("text/plain; charset=utf-8", "ready\n");
            }
            return Reply.error(AltoError.serverCondition("not ready: " + why, 503),
                    Dialect.JSON);
        }

        private CompletionStage<Reply> async(Supplier<Reply> work) {
            try {
                return CompletableFuture.supplyAsync(work, scraper);
            } catch (RejectedExecutionException e) {
                return done(Reply.error(AltoError.serverCondition("stopping", 503),
                        Dialect.JSON));
            }
        }

        private Reply text(String type, String body) {
            Instant now = clock.instant();
            Variant v = new Variant(Bytes.wrap(body.getBytes(StandardCharsets.UTF_8)), null,
                    List.of(new HeaderField("content-type", type)));
            return Reply.ok(new Representation(v, null, 0, now, now.plusSeconds(1)));
        }

        private static CompletionStage<Reply> done(Reply r) {
            return CompletableFuture.completedFuture(r);
        }
    }
}
