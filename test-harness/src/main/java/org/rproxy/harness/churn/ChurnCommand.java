package org.rproxy.harness.churn;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** Placeholder. */
@Command(name = "churn", mixinStandardHelpOptions = true, description = "not yet")
public final class ChurnCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 2;
    }
}
