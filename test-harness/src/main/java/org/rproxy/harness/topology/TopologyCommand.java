package org.rproxy.harness.topology;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code harness topology}: writes a deterministic synthetic ISP as a maps folder. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "Generate a synthetic ISP (PoPs on a weighted graph, prefixes per PoP, shortest-path costs) "
                + "and write it as a maps folder the origin serves. The same seed gives the same bytes.")
public final class TopologyCommand implements Callable<Integer> {

    @Option(names = "--pids", defaultValue = "100", paramLabel = "N",
            description = "PoPs, one PID each; a 'default' PID holding 0.0.0.0/0 comes on top (default ${DEFAULT-VALUE}).")
    int pids;

    @Option(names = "--prefixes-per-pid", defaultValue = "10", paramLabel = "M",
            description = "IPv4 prefixes per PoP (/24, some /22 and /20) (default ${DEFAULT-VALUE}).")
    int prefixesPerPid;

    @Option(names = "--cost-types", defaultValue = "routingcost,hopcount", split = ",", paramLabel = "METRIC",
            description = "Numerical cost maps to write: routingcost, hopcount (default ${DEFAULT-VALUE}).")
    List<String> costTypes;

    @Option(names = "--ordinal", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Also write an ordinal cost map of the first metric (default ${DEFAULT-VALUE}).")
    boolean ordinal;

    @Option(names = "--extra-links", defaultValue = "2", paramLabel = "K",
            description = "Links from each PoP to its nearest neighbours beyond the spanning tree (default ${DEFAULT-VALUE}).")
    int extraLinks;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Maps folder to write (created if missing).")
    Path out;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        TopologySpec spec = new TopologySpec(pids, prefixesPerPid, costTypes, ordinal, extraLinks, seed);
        Topology topo = TopologyGenerator.generate(spec);
        List<Path> files = MapsWriter.write(topo, out);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("topology: %d PIDs (%d PoPs + default), %d prefixes, %d links, %d border PoPs, seed %d%n",
                topo.pidCount(), pids, topo.prefixCount(), topo.linkCount(), topo.borderCount(), seed);
        for (Path f : files) {
            System.out.printf("  %-40s %,14d bytes%n", f, java.nio.file.Files.size(f));
        }
        System.out.printf("written in %d ms%n", ms);
        return 0;
    }
}
