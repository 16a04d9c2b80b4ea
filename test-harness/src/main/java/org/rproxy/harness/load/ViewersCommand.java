package org.rproxy.harness.load;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** Placeholder. */
@Command(name = "viewers", mixinStandardHelpOptions = true, description = "not yet")
public final class ViewersCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 2;
    }
}
