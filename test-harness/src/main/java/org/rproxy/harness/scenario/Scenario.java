package org.rproxy.harness.scenario;

import java.util.List;

/** One whole experiment: sets up what it needs in a {@link Lab}, runs, and judges itself. */
interface Scenario {
    String name();

    /** One line for {@code harness scenario --help} and the report. */
    String summary();

    /**
     * Runs and returns the verdict table's lines; a FAIL or NOT RUN line makes the scenario fail.
     * Lines added to {@code ctx.checks()} as the run goes are kept when it throws.
     */
    List<Check> run(ScenarioContext ctx) throws Exception;
}
