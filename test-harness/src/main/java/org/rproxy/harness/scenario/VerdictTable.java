package org.rproxy.harness.scenario;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A scenario's checks as a plain-text table for people and as JSON for scripts (CI, a dashboard:
 * they read the verdict of each check without parsing the table's columns), and whether the
 * scenario passed as a whole.
 */
public final class VerdictTable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What {@code verdict.json} holds.
     *
     * @param passed whether every check passed: exit code 0
     */
    record Verdict(String scenario, boolean passed, List<Check> checks) {
    }

    private VerdictTable() {
    }

    /** The verdict as JSON: the scenario, whether it passed, and each check with its verdict (PASS, FAIL, INFO, NOT_RUN). */
    public static String json(String scenario, List<Check> checks) {
        try {
            return JSON.writeValueAsString(new Verdict(scenario, passed(checks), List.copyOf(checks))) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a verdict did not serialise", e);
        }
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
