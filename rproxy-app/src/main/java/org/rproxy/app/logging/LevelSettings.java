package org.rproxy.app.logging;

import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The log levels the environment sets for rproxy's logging configurations
 * ({@code conf/logback.xml}, {@code conf/logback-json.xml}): {@code rproxy.log.level} and
 * {@code RPROXY_LOG_LEVEL} for the diagnostics, {@code RPROXY_ACCESS_LOG} for the access log, each
 * a system property or else an environment variable, as Logback looks them up. Logback takes a
 * level it does not know for DEBUG, so {@code RPROXY_LOG_LEVEL=bogus} would turn on debug logging
 * without a word: the command checks them before anything logs. Stateless.
 */
public final class LevelSettings {
    /** The variables the configurations read, in the order they are checked. */
    public static final List<String> NAMES = List.of("rproxy.log.level", "RPROXY_LOG_LEVEL", "RPROXY_ACCESS_LOG");
    /** The levels Logback knows (in any case). */
    public static final List<String> LEVELS = List.of("OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL");

    private LevelSettings() {
    }

    /**
     * The first variable set to what is not a level, as {@code "NAME: 'value' (expected: ...)"},
     * or null when there is none.
     *
     * @param properties the system properties ({@code System::getProperty})
     * @param environment the environment ({@code System::getenv})
     */
    public static String problem(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        for (String name : NAMES) {
            String value = properties.apply(name);
            if (value == null) {
                value = environment.apply(name);
            }
            if (value != null && !LEVELS.contains(value.toUpperCase(Locale.ROOT))) {
                return name + ": '" + value + "' is not a log level (expected: one of "
                        + String.join(", ", LEVELS) + ")";
            }
        }
        return null;
    }
}
