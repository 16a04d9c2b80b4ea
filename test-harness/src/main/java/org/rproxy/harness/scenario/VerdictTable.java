package org.rproxy.harness.scenario;

import java.util.List;
import java.util.Locale;

/** A scenario's checks as a plain-text table, and whether the scenario passed as a whole. */
public final class VerdictTable {
    private VerdictTable() {
    }

    public static boolean passed(List<Check> checks) {
        return !checks.isEmpty() && checks.stream().noneMatch(Check::failed);
    }

    public static String render(String scenario, List<Check> checks) {
        int n = Math.max(5, checks.stream().mapToInt(c -> c.name().length()).max().orElse(5));
        int e = Math.max(8, checks.stream().mapToInt(c -> c.expected().length()).max().orElse(8));
        int m = Math.max(8, checks.stream().mapToInt(c -> c.measured().length()).max().orElse(8));
        String fmt = "  %-" + n + "s  %-" + e + "s  %-" + m + "s  %s%n";
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: %s%n", scenario, passed(checks) ? "PASS" : "FAIL"));
        b.append(String.format(Locale.ROOT, fmt, "check", "expected", "measured", "verdict"));
        for (Check c : checks) {
            b.append(String.format(Locale.ROOT, fmt, c.name(), c.expected(), c.measured(), c.verdict().name().replace('_', ' ')));
        }
        return b.toString();
    }
}
