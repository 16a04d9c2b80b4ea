package org.rproxy.harness.scenario;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code harness scenario} options that only some scenarios use. Each scenario declares
 * those it honours ({@link Scenario#options}); one given to a scenario that does not use it is
 * refused by name rather than silently ignored. {@code --seed}, {@code --report} and
 * {@code --keep} apply to every scenario and are not listed here.
 */
enum ScenarioOption {
    VIEWERS("--viewers"),
    WINDOW("--window"),
    MAX_AGE("--max-age"),
    CONNECTIONS("--connections"),
    PIPELINE("--pipeline"),
    IO_THREADS("--io-threads"),
    VIA("--via"),
    PEERS("--peers"),
    SEEDING("--seeding"),
    RPROXY_JAR("--rproxy-jar");

    /** What a scenario that runs a crowd of viewers ({@code ScenarioContext.run}) against proxies it starts honours. */
    static final Set<ScenarioOption> CROWD = Collections.unmodifiableSet(EnumSet.of(VIEWERS, WINDOW, MAX_AGE, CONNECTIONS,
            PIPELINE, IO_THREADS, RPROXY_JAR));

    final String flag;

    ScenarioOption(String flag) {
        this.flag = flag;
    }

    /** The flags of {@code options}, in declaration order, comma-separated ({@code none} when empty). */
    static String flags(Set<ScenarioOption> options) {
        return options.isEmpty() ? "none"
                : EnumSet.copyOf(options).stream().map(o -> o.flag).collect(Collectors.joining(", "));
    }
}
