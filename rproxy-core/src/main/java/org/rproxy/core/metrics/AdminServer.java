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
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

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
 * and its own connection limit, so it keeps answering while the data port is saturated. Scrapes
 * run on one admin thread, readiness checks on another, never on the event loop, so a pile of
 * scrapes never delays {@code /readyz} or {@code /healthz}. Each is a {@link SharedRun}: however
 * many requests are pipelined, one run is in progress and one waits, shared by every request
 * that arrives before it starts. {@link #close} stops all three.
 */
public final class AdminServer implements AutoCloseable {
    /** The Prometheus text exposition format, version 0.0.4. */
    static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final AltoHttpServer server;
    private final ExecutorService scraper;
    private final ExecutorService checker;

    private AdminServer(AltoHttpServer server, ExecutorService scraper, ExecutorService checker) {
        this.server = server;
        this.scraper = scraper;
        this.checker = checker;
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
        ExecutorService checker = Executors.newSingleThreadExecutor(DaemonThreads.named("rproxy-admin-ready"));
        try {
            AltoHttpServer server = AltoHttpServer.start(
                    FrontEndConfig.defaults(address.host(), address.port()).withMaxConnections(64).withIoThreads(1),
                    new Service(registry, readiness, scraper, checker, Clock.systemUTC()));
            return new AdminServer(server, scraper, checker);
        } catch (RuntimeException e) {
            scraper.shutdownNow();
            checker.shutdownNow();
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
        checker.shutdownNow();
    }

    /**
     * Routes the three admin paths. Runs on the admin event loop; scrapes on the scrape thread,
     * readiness checks on the readiness thread, each shared by the requests that wait for it.
     */
    static final class Service implements AltoService {
        private static final String GET_ONLY = "GET, HEAD";
        private static final Set<String> PATHS = Set.of("/metrics", "/healthz", "/readyz");

        private final Readiness readiness;
        private final SharedRun<Reply> scrape;
        private final SharedRun<Reply> ready;
        private final Clock clock;

        Service(PrometheusMeterRegistry registry, Readiness readiness, Executor scraper, Executor checker, Clock clock) {
            this.readiness = readiness;
            this.clock = clock;
            this.scrape = new SharedRun<>(() -> text(METRICS_TYPE, registry.scrape()), scraper);
            this.ready = new SharedRun<>(this::ready, checker);
        }

        @Override
        public CompletionStage<Reply> handle(AltoRequest request) {
            if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                return done(new Reply.Error(AltoError.invalidValue("method", request.method(),
                        "the admin listener answers GET only").withStatus(405), Dialect.JSON, GET_ONLY));
            }
            switch (request.path()) {
                case "/metrics":
                    return orStopping(scrape.get());
                case "/healthz":
                    return done(text("text/plain; charset=utf-8", "ok\n"));
                case "/readyz":
                    return orStopping(ready.get());
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

        /** {@code run}, or 503 when its executor no longer takes work (the listener is closing). */
        private static CompletionStage<Reply> orStopping(CompletableFuture<Reply> run) {
            return run.exceptionallyCompose(t -> t instanceof RejectedExecutionException
                    ? done(Reply.error(AltoError.serverCondition("stopping", 503), Dialect.JSON))
                    : CompletableFuture.failedFuture(t));
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
