package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.rproxy.harness.churn.Churner;

/**
 * Measures how long a change takes to reach every server of a tree: after a change is written,
 * polls the origin until it serves a new entity tag for the watched document, then polls every
 * proxy until each serves that same tag. Polls every 10 ms over keep-alive connections, each
 * round bounded by a limit. Runs on the caller's thread.
 */
final class Propagation {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String origin;
    private final List<String> proxies;
    private final String path;
    private final Duration limit;
    private final Histogram toOrigin = new Histogram(60_000_000L, 3);
    private final Histogram toAll = new Histogram(60_000_000L, 3);
    private int missed;
    private String current;

    Propagation(String origin, List<String> proxies, String path, Duration limit) throws IOException, InterruptedException {
        this.origin = requireNonNull(origin, "origin");
        this.proxies = List.copyOf(proxies);
        this.path = requireNonNull(path, "path");
        this.limit = requireNonNull(limit, "limit");
        this.current = etag(origin);
    }

    /**
     * Runs {@code rounds} churn rounds, one a second on a fixed schedule (a slow round does not push
     * the next ones back), and follows each change down the tree with {@link #await}.
     */
    void followChurn(Churner churner, int rounds) throws IOException, InterruptedException {
        followChurn(churner, rounds, Duration.ofSeconds(1));
    }

    /**
     * As {@link #followChurn(Churner, int)}, one round every {@code period}: a tree whose top reads
     * its source on a schedule (a signing front's poll, a pull proxy's refresh) folds changes made
     * faster than that into one version, so its rounds must be spaced wider.
     */
    void followChurn(Churner churner, int rounds, Duration period) throws IOException, InterruptedException {
        long step = period.toNanos();
        long next = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            churner.round();
            await(System.nanoTime());
            next += step;
        }
    }

    /**
     * Waits for the change written at {@code writtenNanos} (a {@link System#nanoTime} value) to reach
     * the origin and then every proxy; records the times, or counts a miss at the limit.
     */
    void await(long writtenNanos) throws InterruptedException {
        long deadline = writtenNanos + limit.toNanos();
        String fresh = null;
        while (System.nanoTime() < deadline) {
            String t = etag(origin);
            if (t != null && !t.equals(current)) {
                fresh = t;
                break;
            }
            Thread.sleep(10);
        }
        if (fresh == null) {
            missed++;
            return;
        }
        toOrigin.recordValue((System.nanoTime() - writtenNanos) / 1_000);
        current = fresh;
        String want = fresh;
        List<String> waiting = new ArrayList<>(proxies);
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            waiting.removeIf(p -> want.equals(etag(p)));
            if (!waiting.isEmpty()) {
                Thread.sleep(10);
            }
        }
        if (!waiting.isEmpty()) {
            missed++;
            return;
        }
        toAll.recordValue((System.nanoTime() - writtenNanos) / 1_000);
    }

    private String etag(String base) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200 ? r.headers().firstValue("etag").orElse(null) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    long reached() {
        return toAll.getTotalCount();
    }

    int missed() {
        return missed;
    }

    double p50Millis() {
        return toAll.getTotalCount() == 0 ? Double.NaN : toAll.getValueAtPercentile(50) / 1e3;
    }

    double p99Millis() {
        return toAll.getTotalCount() == 0 ? Double.NaN : toAll.getValueAtPercentile(99) / 1e3;
    }

    String describe() {
        return String.format(Locale.ROOT, "to the origin p50 %.0f ms p99 %.0f ms; to every proxy p50 %.0f ms p99 %.0f ms max %.0f ms",
                toOrigin.getTotalCount() == 0 ? Double.NaN : toOrigin.getValueAtPercentile(50) / 1e3,
                toOrigin.getTotalCount() == 0 ? Double.NaN : toOrigin.getValueAtPercentile(99) / 1e3,
                p50Millis(), p99Millis(), toAll.getTotalCount() == 0 ? Double.NaN : toAll.getMaxValue() / 1e3);
    }
}
