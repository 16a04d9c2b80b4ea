package org.rproxy.harness.scenario;

import java.util.List;

/** Placeholder. */
final class SlowSubscriber implements Scenario {
    @Override
    public String name() {
        return "slow-subscriber";
    }

    @Override
    public String summary() {
        return "not yet";
    }

    @Override
    public List<Check> run(ScenarioContext ctx) {
        return List.of(Check.notRun("slow-subscriber", "not written yet"));
    }
}
