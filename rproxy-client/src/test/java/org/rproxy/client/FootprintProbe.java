package org.rproxy.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client as an application embeds it, run by {@link ClientFootprintTest} in a JVM of its own on
 * the client's runtime class path alone: it bootstraps from the origin named by its arguments (URL,
 * key id, state file), fetches and verifies the network map, answers a PID, a cost and a ranking
 * from the verified maps, a ranking and a filtered cost map by an ordinal cost type (and is refused a ranking by a cost type the maps do not have, as the
 * application's mistake, not as a class missing), follows the update stream until the PID1 → PID2 cost changes, and says
 * each step on a line of standard output. It uses nothing but the client's API and the JDK, and
 * exits 0 only when every step went as expected.
 */
final class FootprintProbe {
    /** Printed once the follower follows (a stream or a poll): the test then changes the cost map. */
    static final String FOLLOWING = "following ";
    /** Printed with the new cost once the follower has verified the changed map. */
    static final String CHANGED = "changed cost ";

    private FootprintProbe() {
    }

    public static void main(String[] args) throws Exception {
        ClientOptions options = ClientOptions.of(URI.create(args[0]), KeyPin.ofKeyId(args[1]))
                .withStateFile(Path.of(args[2])).withTimeout(Duration.ofSeconds(10));
        boolean ok;
        try (AltoClient alto = AltoClient.bootstrap(options)) {
            ok = run(alto);
        }
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    private static boolean run(AltoClient alto) throws InterruptedException {
        VerifiedDocument map = alto.fetch("/networkmap/default-network-map");
        System.out.println("fetched " + map.target() + ": " + map.length() + " bytes, " + map.contentType());
        LocalAnswers answers = alto.refreshMaps();
        String pid = answers.pid("128.36.1.5").orElse("none");
        double cost = answers.cost("128.36.1.5", "130.132.3.9").orElse(-1);
        List<String> peers = List.of("10.1.2.3", "130.132.3.9", "128.36.1.7");
        List<String> ranked = answers.rank("128.36.1.5", peers).stream().map(r -> peers.get(r.index())).toList();
        System.out.println("pid " + pid + ", cost " + cost + ", ranked " + ranked);
        if (!pid.equals("PID1") || cost != 5 || !ranked.equals(List.of("128.36.1.7", "130.132.3.9", "10.1.2.3"))) {
            return false;
        }
        List<String> byRank = answers.rank("128.36.1.5", peers, CostType.ordinal("routingcost")).stream()
                .map(r -> peers.get(r.index()) + "=" + r.rank()).toList();
        System.out.println("ranked ordinal " + byRank);
        if (!byRank.equals(List.of("128.36.1.7=1", "130.132.3.9=2", "10.1.2.3=3"))) {
            return false;
        }
        Map<String, Map<String, Double>> pidCosts = answers.costs(List.of("PID1"), List.of(), CostType.ordinal("routingcost"));
        System.out.println("filtered ordinal " + pidCosts);
        if (!pidCosts.equals(Map.of("PID1", Map.of("PID2", 1.0, "PID3", 2.0)))) {
            return false;
        }
        try {
            answers.rank("128.36.1.5", peers, CostType.numerical("hopcount"));
            System.out.println("ranked by a cost type the maps do not have");
            return false;
        } catch (IllegalArgumentException e) {
            System.out.println("no hopcount: " + e.getMessage()); // an Error here (a class not on the path) ends the run
        }
        BlockingQueue<LocalAnswers> changes = new LinkedBlockingQueue<>();
        alto.follow(new UpdateFollower.Listener() {
            @Override
            public void changed(LocalAnswers now) {
                changes.add(now);
            }

            @Override
            public void refused(ClientException why) {
                System.out.println("refused: " + why.getMessage());
            }

            @Override
            public void following(URI stream) {
                System.out.println(FOLLOWING + (stream == null ? "by polling" : stream));
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            LocalAnswers now = changes.poll(left, TimeUnit.NANOSECONDS);
            double changed = now == null ? 5 : now.cost("128.36.1.5", "130.132.3.9").orElse(-1);
            if (changed != 5) {
                System.out.println(CHANGED + changed);
                return true;
            }
        }
        System.out.println("no change within 60 s");
        return false;
    }
}
