package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.OptionalDouble;

/**
 * One source's state as {@link SourceHealth} sees it at one moment, for an application's status
 * page or log: whether it is cooling down and until when, its recent failures and the last one's
 * reason, its latency, and apart from those its update stream's recent failures (a proxy may
 * serve every fetch and still be avoided by the followers, its stream refused or ended at once).
 * A snapshot: it does not change as the client goes on.
 *
 * @param source         the source (an RProxy, or the origin)
 * @param origin         whether it is the origin (always tried last)
 * @param coolingUntil   the end of its cool-down, or null when it is not cooling down
 * @param recentFailures its consecutive failures while the last of them is recent, else 0
 * @param lastFailure    the reason of its last failure since its last success, or null
 * @param latencyMillis  the moving average of its latency, or empty before its first success
 * @param recentStreamFailures its failed update-stream subscriptions in a row while the last is recent, else 0
 *                       ({@link SourceHealth#recentStreamFailures}): above 0, followers do not subscribe there
 *                       (a proxy; the origin's stream is always tried, and its record shows what it did)
 * @param lastStreamFailure the reason of its last failed subscription since its last stream that lasted, or null
 */
public record SourceStatus(URI source, boolean origin, Instant coolingUntil, int recentFailures,
                           String lastFailure, OptionalDouble latencyMillis, int recentStreamFailures,
                           String lastStreamFailure) {
    /**
     * The source and the latency (maybe empty) are required.
     *
     * @param source         the source (an RProxy, or the origin)
     * @param origin         whether it is the origin (always tried last)
     * @param coolingUntil   the end of its cool-down, or null when it is not cooling down
     * @param recentFailures its consecutive failures while the last of them is recent, else 0
     * @param lastFailure    the reason of its last failure since its last success, or null
     * @param latencyMillis  the moving average of its latency, or empty before its first success
     * @param recentStreamFailures its failed update-stream subscriptions in a row while the last is recent, else 0
     * @param lastStreamFailure the reason of its last failed subscription since its last stream that lasted, or null
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
     * {@code latency N ms} or {@code no success yet}, and the last failure's reason; then, while its
     * stream's failures are recent, {@code stream: N recent failures} and the last one's reason.
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
        if (recentStreamFailures > 0) {
            sb.append("; stream: ").append(recentStreamFailures)
                    .append(recentStreamFailures == 1 ? " recent failure" : " recent failures");
            if (lastStreamFailure != null) {
                sb.append(", last: ").append(lastStreamFailure);
            }
        }
        return sb.toString();
    }
}
