package org.rproxy.core.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.server.RequestObserver;
import org.rproxy.core.server.Served;

/**
 * Counts the front end's responses by method, path and status
 * ({@code rproxy_requests_total}) and their body bytes ({@code rproxy_response_bytes_total}).
 *
 * <p>Methods and paths come from clients, so both labels are bounded. The {@code path} label is
 * the service's route ({@link Served#route()}): a stream's control URIs, one per stream, all
 * count under one template; the first {@value #MAX_PATHS} distinct routes that were answered
 * 2xx or 3xx get their own label, and every other path is counted as {@code "other"}. A method
 * outside RFC 9110's (a client may send any token) is counted as {@code "other"}. Statuses are
 * the front end's own, a few dozen at most. Called on event loops: a map lookup and a counter
 * increment, no locks on the common path.
 */
public final class RequestMetrics implements RequestObserver {
    static final int MAX_PATHS = 256;
    static final String OTHER = "other";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH", "-");

    private final MeterRegistry registry;
    private final Set<String> paths = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter bytes;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
        this.bytes = Counter.builder("rproxy.response.bytes").description("Body bytes written to clients")
                .baseUnit("bytes").register(registry);
    }

    @Override
    public void onResponse(Served response) {
        String method = METHODS.contains(response.method()) ? response.method() : OTHER;
        int status = response.status();
        String label = label(response.route(), status);
        String key = method + ' ' + status + ' ' + label;
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, k -> Counter.builder("rproxy.requests")
                    .description("Responses written, by method, path and status")
                    .tag("method", method).tag("path", label).tag("status", Integer.toString(status))
                    .register(registry));
        }
        c.increment();
        bytes.increment(response.bodyBytes());
    }

    private String label(String path, int status) {
        if (paths.contains(path)) {
            return path;
        }
        if (status >= 200 && status < 400 && paths.size() < MAX_PATHS && paths.add(path)) {
            return path;
        }
        return OTHER;
    }
}
