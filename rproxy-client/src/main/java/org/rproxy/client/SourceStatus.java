package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.OptionalDouble;

/**
 * One source's state as {@link SourceHealth} sees it at one moment, for an application's status
 * page or log: whether it is cooling down and until when, its recent failures and the last one's
 * reason, and its latency. A snapshot: it does not change as the client goes on.
 *
 * @param source         the source (an RProxy, or the origin)
 * @param origin         whether it is the origin (always tried last)
 * @param coolingUntil   the end of its cool-down, or null when it is not cooling down
 * @param recentFailures its consecutive failures while the last of them is recent, else 0
 * @param lastFailure    the reason of its last failure since its last success, or null
 * @param latencyMillis  the moving average of its latency, or empty before its first success
 */
public record SourceStatus(URI source, boolean origin, Instant coolingUntil, int recentFailures,
                           String lastFailure, OptionalDouble latencyMillis) {
    /**
     * The source and the latency (maybe empty) are required.
     *
     * @param source         the source (an RProxy, or the origin)
     * @param origin         whether it is the origin (always tried last)
     * @param coolingUntil   the end of its cool-down, or null when it is not cooling down
     * @param recentFailures its consecutive failures while the last of them is recent, else 0
     * @param lastFailure    the reason of its last failure since its last success, or null
     * @param latencyMillis  the moving average of its latency, or empty before its first success
     */
    public SourceStatus {
        requireNonNull(source, "source");
        requireNonNull(latencyMillis, "latencyMillis");
    }

    /** {@return true while the source is cooling down: it is not asked before {@link #coolingUntil()}} */
    public boolean coolingDown() {
        return coolingUntil != null;
    }

    /**
     * One line: the source, then {@code cooling down until ...}, {@code N recent failures},
     * {@code latency N ms} or {@code no success yet}, and the last failure's reason.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(source).append(origin ? " (origin)" : "").append(": ");
        sb.append(coolingDown() ? "cooling down until " + coolingUntil : "askable");
        sb.append(", ").append(recentFailures).append(recentFailures == 1 ? " recent failure" : " recent failures");
        sb.append(latencyMillis.isPresent() ? String.format(", latency %.1f ms", latencyMillis.getAsDouble())
                : ", no success yet");
        if (lastFailure != null) {
            sb.append(", last failure: ").append(lastFailure);
        }
        return sb.toString();
    }
}
