package org.rproxy.harness.scenario;

import java.util.List;

/** Placeholder. */
final class TreeScenario implements Scenario {
    @Override
    public String name() {
        return "tree";
    }

    @Override
    public String summary() {
        return "not yet";
    }

    @Override
    public List<Check> run(ScenarioContext ctx) {
        return List.of(Check.notRun("tree", "not written yet"));
    }
}
