package org.rproxy.harness.scenario;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** Placeholder. */
@Command(name = "scenario", mixinStandardHelpOptions = true, description = "not yet")
public final class ScenarioCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 2;
    }
}
