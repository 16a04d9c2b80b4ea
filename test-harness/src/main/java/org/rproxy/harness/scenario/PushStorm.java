package org.rproxy.harness.scenario;

import java.util.List;

/** Placeholder. */
final class PushStorm implements Scenario {
    @Override
    public String name() {
        return "push-storm";
    }

    @Override
    public String summary() {
        return "not yet";
    }

    @Override
    public List<Check> run(ScenarioContext ctx) {
        return List.of(Check.notRun("push-storm", "not written yet"));
    }
}
