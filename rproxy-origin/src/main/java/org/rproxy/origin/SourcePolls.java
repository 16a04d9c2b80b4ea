package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.rproxy.core.concurrent.DaemonThreads;
import org.rproxy.core.model.MapSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a {@link MapSource} (the signing front's unsigned server) again and again, on a thread of
 * its own ({@code rproxy-origin-reader}), and hands each new set of maps to the publisher: it
 * only signs and publishes what the loads bring. A load blocks on the network, for as long as
 * its source's bound allows ({@link UnsignedUpstreamMaps#DEFAULT_ROUND_TIMEOUT}); run on the
 * publisher, as it was, a server that accepted connections and stalled held re-signing up to a
 * request's timeout per map listed, and with enough maps past the expiry of every signature
 * served. A failed load is logged and the previous maps stay; the very maps handed over last
 * time (a source that found nothing changed) are not handed over again.
 */
final class SourcePolls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Origin.class);

    private final ScheduledExecutorService reader =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("rproxy-origin-reader"));
    private final MapSource source;
    private final Consumer<MapSet> changed;
    /** The maps the source handed over last. Reader thread only (after the constructor). */
    private MapSet last;

    /**
     * @param first   the maps the source handed over at start, published already
     * @param changed given each other set of maps, on the reader thread; hands it to the publisher
     */
    SourcePolls(MapSource source, MapSet first, Consumer<MapSet> changed) {
        this.source = requireNonNull(source, "source");
        this.last = requireNonNull(first, "first");
        this.changed = requireNonNull(changed, "changed");
    }

    /** Loads every {@code every} (from the end of one load to the start of the next), each under {@code guard}. */
    void start(Duration every, TaskGuard guard) {
        long period = Math.max(1, every.toMillis());
        reader.scheduleWithFixedDelay(guard.guard("reloading the maps", this::poll), period, period,
                TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            MapSet maps = source.load();
            if (maps != last) {
                last = maps;
                changed.accept(maps);
            }
        } catch (IOException | RuntimeException e) {
            if (!reader.isShutdown()) { // else: cut by close
                log.warn("reloading the maps failed; the previous ones stay: {}", e.getMessage());
            }
        }
    }

    /** Stops polling: a load under way is interrupted, and waited for a few seconds, so that its source may be closed. */
    @Override
    public void close() {
        reader.shutdownNow();
        try {
            if (!reader.awaitTermination(5, TimeUnit.SECONDS)) {
                log.debug("a load of the maps still runs after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
