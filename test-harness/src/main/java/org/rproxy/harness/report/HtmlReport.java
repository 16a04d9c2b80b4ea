package org.rproxy.harness.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's report as one self-contained HTML page: the summary table, the settings, errors and
 * verification, and inline SVG charts of the latency distribution by percentile, latency over
 * time, throughput over time, and arrivals and joins. No script, no external CSS or fonts.
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    public static String render(RunReport r) {
        StringBuilder b = new StringBuilder(32_768);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(Html.escape(r.title())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}")
                .append("td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00;font-weight:bold}.ok{color:#070}")
                .append("\n</style></head><body>\n");
        b.append("<h1>").append(Html.escape(r.title())).append("</h1>\n<p>Started ").append(Html.escape(r.startedAt()))
                .append(", ran ").append(Html.escape(SummaryTable.duration(r))).append(".</p>\n");
        summary(b, r);
        table(b, "Errors", r.errors(), "none");
        table(b, "Verification failures", r.verification().failuresByOutcome(), "none");
        if (r.origin() != null) {
            table(b, "Origin requests during the run by path (" + r.origin().source() + ")", r.origin().byPath(), "none");
        }
        table(b, "Responses by viewer step (any status)", r.requestsByStep(), "none");
        table(b, "Of those, 503s asked again after their Retry-After, by step", r.retriesByStep(), "none");
        charts(b, r);
        settings(b, r.settings());
        b.append("<p><small>Latency is measured from when each request was due (a viewer's scheduled arrival for its first ")
                .append("request, the previous answer for the next, the end of a <code>Retry-After</code> back-off for an ")
                .append("attempt after a 503), so queueing is counted; it is shown in two parts, <em>queued in the ")
                .append("harness</em> (due to written: waiting for a connection slot or the client's event loop) and ")
                .append("<em>server</em> (written to answered: the server, the network and requests ahead on the ")
                .append("connection; percentiles of each part do not add up to those of the whole). The run's clock ")
                .append("starts once the client's connections are open, so the harness's own set-up is in no figure. Requests that got no answer (failed, or still ")
                .append("waiting at the deadline) have no latency and are not in the percentiles; the summary counts them. ")
                .append("Viewers are not the client library: each talks to one target only, asks the same target again ")
                .append("after a 503's <code>Retry-After</code> (waited in full) and gives up on any other error; it never ")
                .append("falls back to another target or the origin, as <code>rproxy-client</code> does at once on any ")
                .append("failure. When a node sheds load, fails or serves bad bytes, the origin requests here under-count ")
                .append("those a crowd of library clients would cause. ")
                .append("<code>--verify all</code> verifies ")
                .append("each distinct representation once with the product's verifier and checks every other response ")
                .append("against it byte for byte (covered fields and body) and for expiry.</small></p>\n");
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void summary(StringBuilder b, RunReport r) {
        RunReport.Viewers v = r.viewers();
        RunReport.Verification ver = r.verification();
        b.append("<table>\n");
        row(b, "viewers", String.format(Locale.ROOT, "%,d planned, %,d arrived, %,d joined, %,d failed, %,d unfinished",
                v.planned(), v.started(), v.joined(), v.failed(), v.unfinished()), v.failed() + v.unfinished() > 0);
        if (v.started() < v.planned()) {
            row(b, "fewer arrived", SummaryTable.fewerArrived(v), true);
        }
        row(b, "requests", String.format(Locale.ROOT, "%,d (%,.0f/s), %,d answered 304, over %,d connections", r.requests(),
                r.requestsPerSecond(), r.notModified(), r.connections()), false);
        row(b, "connection failures", SummaryTable.connectionFailures(r), r.connectFailures() > 0);
        row(b, "bytes received", String.format(Locale.ROOT, "%,d", r.bytes()), false);
        latency(b, "request latency", r.requestLatency());
        latency(b, "of which queued in the harness", r.queued());
        latency(b, "of which server (after written)", r.server());
        RunReport.Unanswered u = r.unanswered();
        row(b, "not in the percentiles", SummaryTable.notInPercentiles(u), u.failed() + u.waiting() > 0);
        latency(b, "join latency", r.joinLatency());
        row(b, "not in the join percentiles", SummaryTable.notInJoinPercentiles(v), v.failed() + v.unfinished() > 0);
        row(b, "errors", String.format(Locale.ROOT, "%,d", r.errorCount()), r.errorCount() > 0);
        row(b, "verification", String.format(Locale.ROOT,
                "%s: %,d signed responses checked with %,d full verifications; %,d unchecked; %,d derived (unsigned) answers",
                ver.mode(), ver.signedChecked(), ver.fullVerifications(), ver.signedUnchecked(), ver.derived()), false);
        row(b, "verification failures", String.format(Locale.ROOT, "%,d", ver.failures()), ver.failures() > 0);
        row(b, "origin requests during the run", r.origin() == null ? "unknown (no origin counter)"
                : !r.origin().known() ? "unknown (" + r.origin().source() + ")"
                : String.format(Locale.ROOT, "%,d", r.origin().requests()), !(r.origin() == null || r.origin().known()));
        if (r.origin() != null) {
            row(b, "origin requests before the run", SummaryTable.beforeRun(r.origin()), false);
        }
        b.append("</table>\n");
    }

    private static void latency(StringBuilder b, String name, RunReport.Latency l) {
        row(b, name, l.count() == 0 ? "none (n = 0)" : String.format(Locale.ROOT,
                "p50 %s · p90 %s · p99 %s · p99.9 %s · max %s (n = %,d)", SummaryTable.ms(l.p50()), SummaryTable.ms(l.p90()),
                SummaryTable.ms(l.p99()), SummaryTable.ms(l.p999()), SummaryTable.ms(l.max()), l.count()), false);
    }

    private static void row(StringBuilder b, String name, String value, boolean bad) {
        b.append("<tr><th>").append(Html.escape(name)).append("</th><td").append(bad ? " class=\"bad\"" : "").append('>')
                .append(Html.escape(value)).append("</td></tr>\n");
    }

    private static void table(StringBuilder b, String title, Map<String, Long> counts, String empty) {
        b.append("<h2>").append(Html.escape(title)).append("</h2>\n");
        if (counts.isEmpty()) {
            b.append("<p class=\"ok\">").append(Html.escape(empty)).append("</p>\n");
            return;
        }
        b.append("<table>\n");
        counts.forEach((k, n) -> b.append("<tr><td>").append(Html.escape(k)).append("</td><td class=\"n\">")
                .append(String.format(Locale.ROOT, "%,d", n)).append("</td></tr>\n"));
        b.append("</table>\n");
    }

    private static void settings(StringBuilder b, Map<String, String> settings) {
        b.append("<h2>Settings</h2>\n<table>\n");
        settings.forEach((k, v) -> b.append("<tr><th>").append(Html.escape(k)).append("</th><td>").append(Html.escape(v))
                .append("</td></tr>\n"));
        b.append("</table>\n");
    }

    private static void charts(StringBuilder b, RunReport r) {
        b.append("<h2>Charts</h2>\n");
        List<RunReport.Percentile> ps = r.percentiles().stream().filter(p -> p.percentile() < 100).toList();
        double[] px = new double[ps.size()];
        double[] py = new double[ps.size()];
        for (int i = 0; i < ps.size(); i++) {
            px[i] = nines(ps.get(i).percentile());
            py[i] = ps.get(i).millis();
        }
        b.append(new SvgChart("Request latency by percentile", "percentile", "ms", px).add("latency", py)
                .xTicks(new double[] {0, 1, 2, 3, 4, 5}, x -> new String[] {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}[(int) x])
                .render());
        List<RunReport.Sample> s = r.series();
        double[] t = new double[s.size()];
        double[] p50 = new double[s.size()];
        double[] p99 = new double[s.size()];
        double[] rps = new double[s.size()];
        double[] started = new double[s.size()];
        double[] joined = new double[s.size()];
        for (int i = 0; i < s.size(); i++) {
            t[i] = s.get(i).t();
            p50[i] = s.get(i).p50();
            p99[i] = s.get(i).p99();
            rps[i] = s.get(i).requestsPerSecond();
            started[i] = s.get(i).started();
            joined[i] = s.get(i).joined();
        }
        b.append(new SvgChart("Request latency over time (each second)", "seconds", "ms", t).add("p50", p50).add("p99", p99).render());
        b.append(new SvgChart("Throughput over time", "seconds", "requests/s", t).add("requests/s", rps).render());
        b.append(new SvgChart("Viewers over time", "seconds", "viewers", t).add("arrived", started).add("joined", joined).render());
    }

    /** Percentile on a "number of nines" scale: 90 → 1, 99 → 2, 99.9 → 3. */
    static double nines(double percentile) {
        return percentile >= 100 ? 6 : -Math.log10(1 - percentile / 100);
    }
}
