package org.rproxy.harness.scenario;

import java.util.List;
import java.util.Set;

/** One whole experiment: sets up what it needs in a {@link Lab}, runs, and judges itself. */
interface Scenario {
    String name();

    /** One line for {@code harness scenario --help} and the report. */
    String summary();

    /**
     * The options of {@link ScenarioOption} this scenario uses; the others are refused when given.
     * {@code --seed}, {@code --report} and {@code --keep} apply to all.
     */
    Set<ScenarioOption> options();

    /**
     * Runs and returns the verdict table's lines; a FAIL or NOT RUN line makes the scenario fail.
     * Lines added to {@code ctx.checks()} as the run goes are kept when it throws.
     */
    List<Check> run(ScenarioContext ctx) throws Exception;
}
