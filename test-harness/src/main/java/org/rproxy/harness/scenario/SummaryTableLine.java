package org.rproxy.harness.scenario;

import java.util.Locale;

import org.rproxy.harness.report.RunReport;

/** Short renderings of report values for verdict tables. */
final class SummaryTableLine {
    private SummaryTableLine() {
    }

    static String latency(RunReport.Latency l) {
        if (l.count() == 0) {
            return "none (n=0)";
        }
        return String.format(Locale.ROOT, "%s / %s / %s (n=%,d)", ms(l.p50()), ms(l.p99()), ms(l.max()),
                l.count());
    }

    static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f ms", v) : String.format(Locale.ROOT, "%.1f ms", v);
    }
}
