package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import org.rproxy.harness.scenario.OverlayFigures.Source;

/**
 * What the {@code overlay} scenario's peer processes report ({@link OverlayPeer}'s lines), kept
 * per peer: where each document came from and when, what each fetch accepted, and what it
 * refused on the way. Lines arrive on the processes' reader threads; the scenario's thread
 * waits for a phase to end with {@link #await}. Thread-safe (one lock).
 */
final class PeerLines {
    private final String proxyAuthority;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private long tampered;
    private long rollback;
    private long missedOffers;
    private long errors;
    private long bootstrapRetries;
    private final List<String> oddities = new ArrayList<>();
    /** Every line, for {@code peer-lines.log}: at most a few hundred per peer (one per fetch). */
    private final List<String> all = new ArrayList<>();

    /** One peer's record, filled as its lines arrive. */
    private static final class Peer {
        final long viewers;
        String state;
        Source net = Source.NONE;
        Source cost = Source.NONE;
        long firstMillis = -1;
        boolean phase1Ended;
        Source changed = Source.NONE;
        long changeMillis = -1;
        int polls;
        boolean phase2Ended;
        String heldNet;
        String heldCost;
        final List<String> accepted = new ArrayList<>();

        Peer(long viewers) {
            this.viewers = viewers;
        }
    }

    /** @param proxyAuthority the fallback proxy's {@code host:port}, as the origin's directory names it */
    PeerLines(List<String> ips, List<Long> viewers, String proxyAuthority) {
        this.proxyAuthority = requireNonNull(proxyAuthority, "proxyAuthority");
        for (int i = 0; i < ips.size(); i++) {
            peers.put(ips.get(i), new Peer(viewers.get(i)));
        }
    }

    /** Takes one line of a peer process; lines of other shapes are kept as oddities. */
    synchronized void accept(String line) {
        all.add(line);
        Map<String, String> f = fields(line);
        Peer p = f.containsKey("ip") ? peers.get(f.get("ip")) : null;
        String kind = line.split(" ", 2)[0];
        if (p == null) {
            if (!kind.equals("done") && oddities.size() < 20) {
                oddities.add(line);
            }
            return;
        }
        switch (kind) {
            case "ready", "failed" -> {
                p.state = kind;
                bootstrapRetries += Math.max(0, Long.parseLong(f.getOrDefault("tries", "1")) - 1);
            }
            case "fetched" -> {
                Source s = Source.of(f.get("source"), proxyAuthority);
                String target = f.get("target");
                if (f.get("phase").equals("1")) {
                    if (target.equals(OverlayPeer.NETWORK_MAP)) {
                        p.net = s;
                    } else {
                        p.cost = s;
                    }
                } else if (f.get("phase").equals("2")) {
                    p.polls++;
                }
                p.accepted.add(target + " " + f.get("sha"));
                tampered += Long.parseLong(f.get("tampered"));
                rollback += Long.parseLong(f.get("rollback"));
                missedOffers += Long.parseLong(f.get("missed"));
            }
            case "error" -> {
                errors++;
                if (oddities.size() < 20) {
                    oddities.add(line);
                }
            }
            case "end" -> {
                p.phase1Ended = true;
                p.firstMillis = Long.parseLong(f.get("ms"));
            }
            case "changed" -> {
                p.phase2Ended = true;
                p.changed = Source.of(f.get("source"), proxyAuthority);
                p.changeMillis = Long.parseLong(f.get("ms"));
            }
            case "missed" -> p.phase2Ended = true;
            case "holds" -> {
                p.heldNet = f.get("net");
                p.heldCost = f.get("cost");
            }
            default -> oddities.add(line);
        }
        notifyAll();
    }

    /** The fields of a line: {@code key=value} words, a {@code why=} taking the rest of the line. */
    static Map<String, String> fields(String line) {
        Map<String, String> out = new HashMap<>();
        int why = line.indexOf(" why=");
        String head = why < 0 ? line : line.substring(0, why);
        if (why >= 0) {
            out.put("why", line.substring(why + 5));
        }
        for (String w : head.split(" ")) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                out.put(w.substring(0, eq), w.substring(eq + 1));
            }
        }
        return out;
    }

    /** Waits until {@code count} says every peer is done with a step, for at most {@code limit}; true when they are. */
    synchronized boolean await(String step, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        ToIntFunction<Peer> done = switch (step) {
            case "join" -> p -> p.state != null ? 1 : 0;
            case "phase1" -> p -> p.phase1Ended ? 1 : 0;
            case "phase2" -> p -> p.phase2Ended ? 1 : 0;
            case "holds" -> p -> p.heldCost != null ? 1 : 0;
            default -> throw new IllegalArgumentException("step: " + step);
        };
        while (peers.values().stream().mapToInt(done).sum() < peers.size()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized long count(String state) {
        return peers.values().stream().filter(p -> state.equals(p.state)).count();
    }

    /**
     * Documents peers accepted that are not a genuine version ({@code genuine}: target to the
     * digests of the origin's versions, oldest first), or that are older than one the same peer
     * accepted before: what poisoning achieved.
     */
    synchronized long badAccepted(Map<String, List<String>> genuine) {
        long bad = 0;
        for (Peer p : peers.values()) {
            Map<String, Integer> newest = new HashMap<>();
            for (String a : p.accepted) {
                String[] ts = a.split(" ");
                int version = genuine.getOrDefault(ts[0], List.of()).indexOf(ts[1]);
                if (version < 0 || version < newest.getOrDefault(ts[0], -1)) {
                    bad++;
                } else {
                    newest.put(ts[0], version);
                }
            }
        }
        return bad;
    }

    /** The samples, with whether each peer holds exactly {@code net} and {@code cost} at the end. */
    synchronized List<PeerSample> samples(String net, String cost) {
        List<PeerSample> out = new ArrayList<>();
        peers.forEach((ip, p) -> out.add(new PeerSample(ip, p.viewers, "ready".equals(p.state), p.net, p.cost, p.firstMillis,
                p.changed, p.changeMillis, p.polls, net.equals(p.heldNet) && cost.equals(p.heldCost))));
        return out;
    }

    synchronized long tampered() {
        return tampered;
    }

    synchronized long rollback() {
        return rollback;
    }

    synchronized long missedOffers() {
        return missedOffers;
    }

    /** Bootstrap tries beyond each peer's first (an outage at the origin: a timeout, no connection). */
    synchronized long bootstrapRetries() {
        return bootstrapRetries;
    }

    synchronized long errors() {
        return errors;
    }

    /** Every line taken, in order. */
    synchronized List<String> all() {
        return List.copyOf(all);
    }

    /** Up to 20 lines that were errors or unexpected, for the log. */
    synchronized List<String> oddities() {
        return List.copyOf(oddities);
    }
}
