package org.rproxy.harness.scenario;

import java.util.List;

/** Placeholder. */
final class Outage implements Scenario {
    @Override
    public String name() {
        return "outage";
    }

    @Override
    public String summary() {
        return "not yet";
    }

    @Override
    public List<Check> run(ScenarioContext ctx) {
        return List.of(Check.notRun("outage", "not written yet"));
    }
}
