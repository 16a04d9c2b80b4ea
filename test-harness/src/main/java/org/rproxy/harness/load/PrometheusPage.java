package org.rproxy.harness.load;

import java.util.OptionalDouble;

/**
 * Reads one sample off a Prometheus text-format page ({@code /metrics}): the line of a series
 * written exactly as the page writes it, name and labels (for example
 * {@code rproxy_overlay_pointer_nodes{resource="costmap"}}). {@link PrometheusOriginCounter}
 * sums a counter over its labels instead. Stateless.
 */
public final class PrometheusPage {
    private PrometheusPage() {
    }

    /** The value of {@code series} on {@code page}, or empty when the page does not show it. */
    public static OptionalDouble sample(String page, String series) {
        String prefix = series + " ";
        return page.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> OptionalDouble.of(Double.parseDouble(l.substring(prefix.length()).trim())))
                .orElse(OptionalDouble.empty());
    }
}
