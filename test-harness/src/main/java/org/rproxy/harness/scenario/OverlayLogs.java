package org.rproxy.harness.scenario;

import static org.rproxy.harness.scenario.ScenarioContext.fmt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the logs of the processes an {@code overlay} run started say, counted: lines, WARN and
 * ERROR lines, per minute of the run, and the most frequent WARN or ERROR kinds (a line with its
 * variable words blanked out, its time and thread left out), so that a flood of one
 * warning shows in the verdict table, not only in {@code logs/}. Pure functions but {@link #read}.
 */
final class OverlayLogs {
    /** Logback's pattern here: {@code TIME LEVEL [thread] logger - message}. */
    private static final Pattern LINE = Pattern.compile("^\\S+\\s+(WARN|ERROR)\\s+\\[[^\\]]*\\]\\s+(.*)$");
    /** A word with a digit or a character not printable ASCII: an address, a count, a key, a message id. */
    private static final Pattern VARIABLE = Pattern.compile(".*[^\\x21-\\x2f\\x3a-\\x7e].*");
    private static final int KIND_CHARS = 100;

    /** The counts of some log text. */
    record Counts(long lines, long warn, long error, Map<String, Long> kinds) {
        Counts {
            kinds = Map.copyOf(kinds);
        }

        /**
         * One line: totals, per minute over {@code minutes}, and the {@code top} most frequent kinds
         * with their counts, most frequent first.
         */
        String describe(double minutes, int top) {
            double m = Math.max(minutes, 1.0 / 60);
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s lines (%.0f a minute), %s WARN, %s ERROR",
                    fmt(lines), lines / m, fmt(warn), fmt(error)));
            kinds.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(top)
                    .forEach(e -> b.append("; ").append(fmt(e.getValue())).append(" x \"").append(e.getKey()).append('"'));
            return b.toString();
        }
    }

    private OverlayLogs() {
    }

    /** Counts the lines of {@code texts} (each a whole log). */
    static Counts count(List<String> texts) {
        long lines = 0;
        long warn = 0;
        long error = 0;
        Map<String, Long> kinds = new HashMap<>();
        for (String text : texts) {
            for (String line : text.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                lines++;
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                if (m.group(1).equals("WARN")) {
                    warn++;
                } else {
                    error++;
                }
                kinds.merge(m.group(1) + " " + kind(m.group(2)), 1L, Long::sum);
            }
        }
        return new Counts(lines, warn, error, kinds);
    }

    /**
     * A message with each word holding a digit or a character other than printable ASCII (an
     * address, a count, a key, a binary message id) blanked out to {@code #}, cut to
     * {@value #KIND_CHARS} characters.
     */
    static String kind(String message) {
        StringBuilder b = new StringBuilder();
        for (String w : message.trim().split("\\s+")) {
            b.append(b.isEmpty() ? "" : " ").append(VARIABLE.matcher(w).matches() ? "#" : w);
        }
        return b.length() <= KIND_CHARS ? b.toString() : b.substring(0, KIND_CHARS) + "...";
    }

    /** Counts the {@code .log} files directly in {@code dir} or one level down. */
    static Counts read(Path dir) throws IOException {
        try (var files = Files.walk(dir, 2)) {
            List<String> texts = files.filter(f -> f.getFileName().toString().endsWith(".log") && Files.isRegularFile(f))
                    .map(f -> {
                        try {
                            return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).toList();
            return count(texts);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
