package org.rproxy.harness.churn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code harness churn}: changes a maps folder on a schedule, as a live network would. */
@Command(name = "churn", mixinStandardHelpOptions = true,
        description = "Change a share of the costs of a maps folder on a schedule (and now and then move a prefix "
                + "between PIDs, keeping the map valid), writing whole files atomically so the origin's watcher "
                + "publishes each change. Runs until --rounds or --for is reached, or until stopped.")
public final class ChurnCommand implements Callable<Integer> {

    @Option(names = "--maps", required = true, paramLabel = "DIR", description = "The maps folder the origin serves.")
    Path maps;

    @Option(names = "--every", defaultValue = "10s", paramLabel = "DURATION",
            description = "Time between rounds (default ${DEFAULT-VALUE}).")
    Duration every;

    @Option(names = "--fraction", defaultValue = "0.01", paramLabel = "F",
            description = "Share of PID pairs whose cost changes each round (default ${DEFAULT-VALUE}).")
    double fraction;

    @Option(names = "--move-every", defaultValue = "5", paramLabel = "K",
            description = "Move one prefix between PIDs every K rounds; 0 never (default ${DEFAULT-VALUE}).")
    int moveEvery;

    @Option(names = "--rounds", paramLabel = "N", description = "Stop after N rounds, N >= 1 (default: no limit).")
    Integer rounds;

    @Option(names = "--for", paramLabel = "DURATION", description = "Stop after this long.")
    Duration limit;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        String invalid = invalid(rounds, fraction, moveEvery);
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        if (!Files.isDirectory(maps)) {
            // else the folder listing's NoSuchFileException said only the path
            throw new IllegalArgumentException("--maps: " + maps + " (expected: the maps folder the origin serves; "
                    + (Files.exists(maps) ? "it is not a folder)" : "there is no such folder)"));
        }
        Churner churner = new Churner(maps, fraction, moveEvery, seed);
        long start = System.nanoTime();
        long deadline = limit == null ? Long.MAX_VALUE : start + limit.toNanos();
        long next = start;
        for (int n = 1; rounds == null || n <= rounds; n++) {
            // never sleeps past --for: a round due after it is not waited for
            long wait = Math.min(next, deadline) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            Churner.Round r = churner.round();
            System.out.printf("round %d: %,d costs changed%s; wrote %d files in %d ms%n", r.number(), r.costsChanged(),
                    r.moved() == null ? "" : "; moved " + r.moved(), r.written().size(), r.millis());
            next += every.toNanos();
        }
        return 0;
    }

    /**
     * What is wrong with the counts given, in one line naming the option, or null ({@link Churner}
     * checks the range of each of {@code --fraction} and {@code --move-every}). A run that
     * would change nothing (no rounds, or rounds that touch no cost and move no prefix) is refused
     * rather than run: it used to exit 0 having done nothing ({@code --rounds -1}).
     */
    static String invalid(Integer rounds, double fraction, int moveEvery) {
        if (rounds != null && rounds < 1) {
            return "--rounds: " + rounds + " (expected: >= 1; leave it out for no limit)";
        }
        if (fraction == 0 && moveEvery == 0) {
            return "--fraction: 0.0 with --move-every 0 changes nothing (expected: a fraction above 0, or --move-every K)";
        }
        return null;
    }
}
