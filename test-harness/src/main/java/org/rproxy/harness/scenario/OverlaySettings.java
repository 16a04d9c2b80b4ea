package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one {@code overlay} scenario run, handed from the harness to the run inside
 * the network namespace as {@code key=value} arguments, and the addresses the run uses there.
 * Immutable.
 *
 * @param lab     the folder for keys, maps, configs and process logs
 * @param reports the scenario's report folder
 * @param peers   overlay peers (each a DHT node, a BitTorrent client and an ALTO client)
 * @param viewers simulated viewers, split over the peers
 * @param window  the peers' first fetches are spread over this
 * @param seeding whether peers seed on what they fetched and verified
 * @param seed    the topology's seed
 * @param maxAge  the origin's max-age (the fallback pull proxy's refresh period)
 * @param budget  a peer's time for an overlay lookup and transfer before it pulls
 */
record OverlaySettings(Path lab, Path reports, int peers, long viewers, Duration window, boolean seeding, long seed,
                       Duration maxAge, Duration budget) {
    /** Peers per peer process: about 50 DHT nodes and BitTorrent runtimes fit one JVM. */
    static final int PEERS_PER_PROCESS = 50;
    static final int MAX_PEERS = 2_000;
    static final String RPROXY = "100.64.0.1";
    static final String TAMPERER = "100.64.0.2";
    static final String STALE = "100.64.0.3";
    static final String PROBE = "100.64.0.4";

    OverlaySettings {
        requireNonNull(lab, "lab");
        requireNonNull(reports, "reports");
        requireNonNull(window, "window");
        requireNonNull(maxAge, "maxAge");
        requireNonNull(budget, "budget");
        if (peers < 1 || peers > MAX_PEERS) {
            throw new IllegalArgumentException("--peers: " + peers + " (expected: 1-" + MAX_PEERS + ")");
        }
        if (viewers < 0) {
            throw new IllegalArgumentException("viewers: " + viewers + " (expected: >= 0)");
        }
    }

    /** The address of peer {@code i}: 100.64.1.1 onwards, 250 per /24. */
    static String peerIp(int i) {
        return "100.64." + (1 + i / 250) + "." + (1 + i % 250);
    }

    List<String> peerIps() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            out.add(peerIp(i));
        }
        return out;
    }

    /** Every address the run adds to the namespace's {@code lo}: the publishers', the probe's, the peers'. */
    List<String> addresses() {
        List<String> out = new ArrayList<>(List.of(RPROXY, TAMPERER, STALE, PROBE));
        out.addAll(peerIps());
        return out;
    }

    List<String> toArgs() {
        return List.of("lab=" + lab.toAbsolutePath(), "reports=" + reports.toAbsolutePath(), "peers=" + peers,
                "viewers=" + viewers, "window-ms=" + window.toMillis(), "seeding=" + seeding, "seed=" + seed,
                "max-age-ms=" + maxAge.toMillis(), "budget-ms=" + budget.toMillis());
    }

    static OverlaySettings parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException(a + " (expected: key=value)");
            }
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return new OverlaySettings(Path.of(get(m, "lab")), Path.of(get(m, "reports")), Integer.parseInt(get(m, "peers")),
                Long.parseLong(get(m, "viewers")), Duration.ofMillis(Long.parseLong(get(m, "window-ms"))),
                Boolean.parseBoolean(get(m, "seeding")), Long.parseLong(get(m, "seed")),
                Duration.ofMillis(Long.parseLong(get(m, "max-age-ms"))), Duration.ofMillis(Long.parseLong(get(m, "budget-ms"))));
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + ": missing");
        }
        return v;
    }
}
