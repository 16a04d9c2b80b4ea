package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import org.rproxy.core.store.Representation;

/**
 * The origin's {@code rproxy_resource_created_time_seconds{target}}: the signing time (the
 * signature's {@code created}, Unix seconds) of each document it serves now. Every proxy shows
 * the same meter for the copy it holds, so an operator asking "is my edge fresh?" subtracts the
 * two: 0 when the proxy holds the origin's version, the time between the versions when it lags.
 * One row per served target, the origin's catalog; a target no longer served loses its row.
 */
final class ServedVersionMeters {
    private final MultiGauge created;
    /** What is served now, read by the rows: a row outlives the versions of its target. */
    private volatile Map<String, Representation> served = Map.of();

    ServedVersionMeters(MeterRegistry registry) {
        this.created = MultiGauge.builder("rproxy.resource.created.time").baseUnit("seconds")
                .description("The origin's created time (Unix seconds) of the served version's signature,"
                        + " by request target")
                .register(requireNonNull(registry, "registry"));
    }

    /** Shows {@code signed}, the documents served from now on. */
    void show(Map<String, Representation> signed) {
        served = signed;
        List<MultiGauge.Row<?>> rows = signed.keySet().stream()
                .<MultiGauge.Row<?>>map(t -> MultiGauge.Row.of(Tags.of("target", t), this, m -> m.createdSeconds(t)))
                .toList();
        created.register(rows, false); // rows kept are not registered again, so a scrape never misses one
    }

    private double createdSeconds(String target) {
        Representation r = served.get(target);
        return r == null ? Double.NaN : r.created().toEpochMilli() / 1000.0;
    }
}
