package org.rproxy.harness.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a viewers run measured, as written to {@code report.json} and rendered in
 * {@code report.html}. Times are milliseconds unless a name says otherwise.
 *
 * @param title          what ran
 * @param startedAt      ISO-8601 instant the run started
 * @param settings       the options of the run, in the order given
 * @param seconds        wall-clock length of the run, from when the client pool was ready (arrivals are
 *                       scheduled from then) to the end; requests per second and MB/s are over it
 * @param setupSeconds   the harness's own start before that (client event loops, connections opened):
 *                       in no latency, rate or length
 * @param viewers        viewer counts
 * @param requests       responses received (any status)
 * @param bytes          body bytes received
 * @param notModified    304 answers to returning viewers
 * @param connections    connections the client opened (reconnects included)
 * @param connectFailures connect attempts that failed, once per attempt however many requests waited for it
 * @param sentAgain      requests sent again on a new connection after theirs failed under them (once at most each)
 * @param requestsPerSecond requests over the run's length
 * @param requestLatency latency of each answered request from when it was due
 * @param queued         of it, the part spent in the harness: from when it was due to when it was written
 *                       (waiting for a connection slot or the event loop)
 * @param server         the other part: from when it was written to its answer (the server, the network,
 *                       requests ahead of it on the connection)
 * @param unanswered     requests with no answer, which have no latency and are not in the percentiles
 * @param joinLatency    from a viewer's scheduled arrival to its last answer
 * @param percentiles    the request latency distribution, for the percentile chart
 * @param errorCount     requests that failed (transport, status, malformed answer)
 * @param errors         failures by kind and step
 * @param verification   what was checked and what failed
 * @param origin         requests the origin served during the run (not before it: the warm-up is apart), or null
 *                       when not known
 * @param requestsByStep responses per viewer step, any status: they add up to {@code requests}
 * @param retriesByStep  of those, the {@code 503}s that were asked again after their {@code Retry-After}, per step
 * @param requestsByTarget responses per target URL and viewer step, any status (what each target answered; a
 *                       scenario sets it against what reached the node behind that target)
 * @param series         one sample per second
 */
public record RunReport(String title, String startedAt, Map<String, String> settings, double seconds, double setupSeconds,
                        Viewers viewers, long requests, long bytes, long notModified, long connections, long connectFailures, long sentAgain,
                        double requestsPerSecond, Latency requestLatency, Latency queued, Latency server, Unanswered unanswered, Latency joinLatency, List<Percentile> percentiles, long errorCount, Map<String, Long> errors,
                        Verification verification, OriginLoad origin, Map<String, Long> requestsByStep,
                        Map<String, Long> retriesByStep, Map<String, Map<String, Long>> requestsByTarget, List<Sample> series) {
    public RunReport {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        percentiles = List.copyOf(percentiles);
        errors = sorted(errors);
        requestsByStep = sorted(requestsByStep);
        retriesByStep = sorted(retriesByStep);
        Map<String, Map<String, Long>> byTarget = new TreeMap<>();
        requestsByTarget.forEach((t, steps) -> byTarget.put(t, sorted(steps)));
        requestsByTarget = Collections.unmodifiableMap(byTarget);
        series = List.copyOf(series);
    }

    /** @param planned viewers the schedule held; started, joined (did every step), failed, unfinished at the deadline */
    public record Viewers(long planned, long started, long joined, long failed, long unfinished) {
    }

    /**
     * Requests the request-latency percentiles leave out, as they got no answer.
     *
     * @param failed  ended without an answer: timeout, connection closed, connect failed (the errors say which)
     * @param waiting handed to a connection and still without an answer at the deadline
     */
    public record Unanswered(long failed, long waiting) {
    }

    public record Latency(long count, double mean, double p50, double p90, double p99, double p999, double max) {
    }

    /** @param percentile 0-100 */
    public record Percentile(double percentile, double millis) {
    }

    /**
     * @param mode               all, sample:P or none
     * @param signedChecked      signed responses checked (verified, or matched byte for byte to a verified one)
     * @param signedUnchecked    signed responses not checked (sampling)
     * @param derived            computed answers (unsigned by design, naming the signed maps they came from)
     * @param fullVerifications  cryptographic verifications run
     * @param failures           responses that failed a check
     * @param failuresByOutcome  failures by verifier outcome
     */
    public record Verification(String mode, long signedChecked, long signedUnchecked, long derived,
                               long fullVerifications, long failures, Map<String, Long> failuresByOutcome) {
        public Verification {
            failuresByOutcome = sorted(failuresByOutcome);
        }
    }

    /**
     * Requests the origin served during the run: the counter read just before the harness's
     * set-up and again at the run's end (its deadline, or when the last viewer finished).
     *
     * @param source    where the count came from
     * @param requests  the difference, -1 when the counter could not be read at the end
     * @param byPath    the difference by path
     * @param beforeRun the counter's total when the run began: what the origin served before it (the nodes'
     *                  warm-up, the harness's own fetch of the network map, earlier runs), in no figure of the run
     */
    public record OriginLoad(String source, long requests, Map<String, Long> byPath, long beforeRun) {
        public OriginLoad {
            byPath = sorted(byPath);
        }

        /** The origin's counter could not be read at the end of the run: the run's figures stand, this one is unknown. */
        public static OriginLoad unreadable(String source, String why, long beforeRun) {
            return new OriginLoad(source + ", unreadable at the end of the run: " + why, -1, Map.of(), beforeRun);
        }

        public boolean known() {
            return requests >= 0;
        }
    }

    /** One second of the run: t (seconds from start), cumulative joins and errors, that second's rate and latency. */
    public record Sample(double t, long started, long joined, double requestsPerSecond, long errors, double p50,
                         double p99, double max) {
    }

    static Map<String, Long> sorted(Map<String, Long> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
