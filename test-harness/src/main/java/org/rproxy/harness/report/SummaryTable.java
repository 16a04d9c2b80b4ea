package org.rproxy.harness.report;

import java.util.Locale;
import java.util.Map;

/** The end-of-run summary as a plain-text table, for the terminal and logs. */
public final class SummaryTable {
    private SummaryTable() {
    }

    public static String render(RunReport r) {
        StringBuilder b = new StringBuilder();
        line(b, "run", r.title());
        line(b, "duration", duration(r));
        RunReport.Viewers v = r.viewers();
        line(b, "viewers", String.format(Locale.ROOT, "%,d planned, %,d arrived, %,d joined, %,d failed, %,d unfinished",
                v.planned(), v.started(), v.joined(), v.failed(), v.unfinished()));
        if (v.started() < v.planned()) {
            line(b, "fewer arrived", fewerArrived(v));
        }
        line(b, "requests", String.format(Locale.ROOT, "%,d (%,.0f/s), %,d not modified (304), over %,d connections",
                r.requests(), r.requestsPerSecond(), r.notModified(), r.connections()));
        line(b, "connection failures", connectionFailures(r));
        line(b, "bytes", String.format(Locale.ROOT, "%,d (%.1f MB/s)", r.bytes(), r.bytes() / 1e6 / Math.max(1e-3, r.seconds())));
        latency(b, "request latency", r.requestLatency());
        latency(b, "  queued in the harness", r.queued());
        latency(b, "  server (after written)", r.server());
        line(b, "not in the percentiles", notInPercentiles(r.unanswered()));
        latency(b, "join latency", r.joinLatency());
        line(b, "not in the join percentiles", notInJoinPercentiles(v));
        line(b, "errors", String.format(Locale.ROOT, "%,d", r.errorCount()));
        counts(b, r.errors());
        RunReport.Verification ver = r.verification();
        line(b, "verification", String.format(Locale.ROOT,
                "%s: %,d signed responses checked (%,d full verifications), %,d unchecked, %,d derived answers",
                ver.mode(), ver.signedChecked(), ver.fullVerifications(), ver.signedUnchecked(), ver.derived()));
        line(b, "verification failures", String.format(Locale.ROOT, "%,d", ver.failures()));
        counts(b, ver.failuresByOutcome());
        if (r.origin() == null) {
            line(b, "origin requests", "unknown (no origin counter)");
        } else if (!r.origin().known()) {
            line(b, "origin requests", "unknown (" + r.origin().source() + ")");
        } else {
            line(b, "origin requests", String.format(Locale.ROOT, "%,d during the run (%s)", r.origin().requests(),
                    r.origin().source()));
            top(b, r.origin().byPath(), 12);
        }
        if (r.origin() != null) {
            line(b, "  before the run", beforeRun(r.origin()));
        }
        return b.toString();
    }

    /**
     * What the origin had served when the run began: the nodes' warm-up (a proxy's start fetches
     * every map), the fetch of the network map for addresses, earlier runs. Said beside the run's
     * count, which leaves it out, so that the count is not read as the whole cost of the event.
     */
    static String beforeRun(RunReport.OriginLoad o) {
        return String.format(Locale.ROOT, "%,d: the count when the run began (such as the nodes' warm-up, the harness's fetch "
                + "of the network map without --maps, earlier runs), in no figure above", o.beforeRun());
    }

    private static void latency(StringBuilder b, String name, RunReport.Latency l) {
        if (l.count() == 0) {
            line(b, name, "none (n=0)");
            return;
        }
        line(b, name, String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (n=%,d)",
                ms(l.p50()), ms(l.p90()), ms(l.p99()), ms(l.p999()), ms(l.max()), l.count()));
    }

    /** The run's length, and the harness's own start before it, which no figure includes. */
    static String duration(RunReport r) {
        return String.format(Locale.ROOT, "%.1f s (from when the client's connections were open; its %.2f s of set-up "
                + "before that is in no figure)", r.seconds(), r.setupSeconds());
    }

    /** The requests the request-latency percentiles leave out, so that they are not read as the whole story. */
    static String notInPercentiles(RunReport.Unanswered u) {
        return String.format(Locale.ROOT, "%,d requests failed without an answer (timeout, connection closed, connect "
                + "failed), %,d still waiting at the deadline", u.failed(), u.waiting());
    }

    /** Said when the arrivals ended (--duration) before every viewer planned arrived. */
    static String fewerArrived(RunReport.Viewers v) {
        return String.format(Locale.ROOT, "only %,d of %,d planned viewers arrived (--duration ended the arrivals): "
                + "the run did not carry the load asked for", v.started(), v.planned());
    }

    /** Failed connects (each once, not per request waiting) and requests sent again on a new connection. */
    static String connectionFailures(RunReport r) {
        return String.format(Locale.ROOT, "%,d connects failed; %,d requests sent again on a new connection after "
                + "theirs failed under them", r.connectFailures(), r.sentAgain());
    }

    /** The viewers the join-latency percentiles leave out, as they did not join. */
    static String notInJoinPercentiles(RunReport.Viewers v) {
        return String.format(Locale.ROOT, "%,d viewers failed, %,d unfinished at the deadline", v.failed(), v.unfinished());
    }

    static String ms(double millis) {
        return millis >= 100 ? String.format(Locale.ROOT, "%.0f ms", millis) : String.format(Locale.ROOT, "%.2f ms", millis);
    }

    private static void counts(StringBuilder b, Map<String, Long> m) {
        m.forEach((k, n) -> b.append(String.format(Locale.ROOT, "  %-24s   %,12d  %s%n", "", n, k)));
    }

    /** The {@code n} largest counts, and how many more there were. */
    private static void top(StringBuilder b, Map<String, Long> m, int n) {
        java.util.List<Map.Entry<String, Long>> sorted = new java.util.ArrayList<>(m.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        java.util.Map<String, Long> shown = new java.util.LinkedHashMap<>();
        sorted.stream().limit(n).forEach(e -> shown.put(e.getKey(), e.getValue()));
        counts(b, shown);
        if (sorted.size() > n) {
            long rest = sorted.stream().skip(n).mapToLong(Map.Entry::getValue).sum();
            b.append(String.format(Locale.ROOT, "  %-24s   %,12d  in %,d more (see report.json)%n", "", rest, sorted.size() - n));
        }
    }

    private static void line(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "  %-24s %s%n", name, value));
    }
}
