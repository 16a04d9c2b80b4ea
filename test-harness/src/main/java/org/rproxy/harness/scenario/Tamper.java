package org.rproxy.harness.scenario;

import java.util.List;

/** Placeholder. */
final class Tamper implements Scenario {
    @Override
    public String name() {
        return "tamper";
    }

    @Override
    public String summary() {
        return "not yet";
    }

    @Override
    public List<Check> run(ScenarioContext ctx) {
        return List.of(Check.notRun("tamper", "not written yet"));
    }
}
