package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.rproxy.core.config.Durations;

/**
 * What one {@link Swarm} fetch has learnt of its torrent's seeders, and whether the overlay
 * demonstrably has nobody to fetch it from: a pointer naming a bundle nobody seeds (its publisher
 * dropped it after the origin's clock stepped back, or the only seeders left) would otherwise
 * hold a client for its whole budget before it pulls. Nobody seeds it when no peer has shown a
 * piece of it, no connection to a peer is younger than {@link #IDLE}, and
 * <ul>
 * <li>at least {@value #EMPTY_LOOKUPS} of the DHT's peer lookups ({@link DhtPeerSource}) heard
 * from DHT nodes, over at least {@link #EMPTY_SPAN} from the start of the first of them, and none
 * found a peer, or</li>
 * <li>peers were found, each of them either refused bt's connection at least
 * {@value #REFUSALS_EACH} times (refused, no such torrent there, unreachable) or was connected
 * {@link #IDLE} without showing a piece (another client fetching it, or a peer announcing what
 * it does not have), and since the last of them failed the DHT was asked again, as above: at
 * least {@value #EMPTY_LOOKUPS} lookups that heard from DHT nodes, over at least
 * {@link #EMPTY_SPAN}, named no other peer ({@link #exhausted()} tells the peer source to ask).
 * The DHT may name a publisher that left and not yet a peer that seeds the torrent, whose
 * announcement lands a moment later: a fetch that gave up at the departed publisher's refusals
 * pulled from a proxy what a peer had.</li>
 * </ul>
 * A connected peer is given {@link #IDLE} from its connection, and again from the metadata's
 * arrival, to show a piece (its bitfield or a have, which bt reports once the metadata came); a
 * fetch a peer has shown a piece or sent one to is waited for until the budget runs out. A
 * lookup no node answered proves nothing, and a connection bt did not try for its own limits is
 * no refusal. Thread-safe (mldht's and bt's threads tell it what they saw).
 */
final class SeederWatch {
    /**
     * Lookups that heard from DHT nodes, all finding no peer, that show nobody seeds a torrent:
     * three, so that the last starts at least one of bt's polls (a second) after the second one,
     * however soon after the fetch's own (primed) lookup bt's first poll came: a publisher puts
     * a pointer and announces its torrent at once, and a reader may find the pointer first. A
     * count alone was not enough: under load bt's polls queue and lookups come back one right
     * after another, all before the announcement landed; {@link #EMPTY_SPAN} bounds that.
     */
    static final int EMPTY_LOOKUPS = 3;
    /**
     * How long empty lookups must go on before they show nobody seeds a torrent, however many
     * there were: a reader of a new version's pointer may look before the publisher's
     * announcement has landed, and lookups come back one right after another when bt's polls
     * queue under load.
     */
    static final Duration EMPTY_SPAN = Duration.ofSeconds(5);
    /** Failed connections to each peer found that show none of them serves the torrent. */
    static final int REFUSALS_EACH = 2;
    /**
     * How long a connected peer may go without showing a piece before it counts as having none:
     * a seeder sends the metadata, then its bitfield, a few messages after the handshake (the
     * namespace checks fetch three bundles one after another in 2.4 to 8.8 s at load averages of
     * 40 to 48, DHT lookups included; the harness's 200 peers held both maps in a p99 of 10 s at
     * 28 without one giving up, bench/HISTORY.md).
     */
    static final Duration IDLE = Duration.ofSeconds(5);

    private final CompletableFuture<String> nobody = new CompletableFuture<>();
    /** Runs a check {@link #IDLE} after a connection or the metadata. */
    private final Executor afterIdle;
    /** The time, in {@link System#nanoTime()}'s terms. */
    private final LongSupplier nanoTime;
    /** Guarded by this. */
    private int lookups;
    /**
     * When the first lookup that heard from DHT nodes started ({@link #nanoTime}; when it ended, if
     * its start was not told); guarded by this.
     */
    private long firstLookup;
    /** When the lookup running now started (-1: not told); guarded by this. */
    private long lookupStart = -1;
    private final Set<InetSocketAddress> found = new LinkedHashSet<>();
    private final Map<InetSocketAddress, Integer> refusals = new HashMap<>();
    /** The peers connected, each with its checks still due (more than 0: given time to show a piece). */
    private final Map<InetSocketAddress, Integer> connected = new HashMap<>();
    private boolean served;
    /** When each peer found had failed, with no lookup naming another since (nanoTime); guarded by this. */
    private long failedSince;
    /** Whether every peer found has failed ({@link #failedSince} is set); guarded by this. */
    private boolean failed;
    /** The lookups that heard from DHT nodes since {@link #failedSince}, all naming no other peer; guarded by this. */
    private int lookupsSince;

    SeederWatch() {
        this(CompletableFuture.delayedExecutor(IDLE.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** A watch that runs on {@code afterIdle} what is due {@link #IDLE} after a connection or the metadata. */
    SeederWatch(Executor afterIdle) {
        this(afterIdle, System::nanoTime);
    }

    /** A watch that runs {@code afterIdle} as above, reading the time from {@code nanoTime} (as System.nanoTime). */
    SeederWatch(Executor afterIdle, LongSupplier nanoTime) {
        this.afterIdle = requireNonNull(afterIdle, "afterIdle");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /** Completes, with the reason, once nobody demonstrably seeds the torrent; never after a peer showed a piece. */
    CompletableFuture<String> nobody() {
        return nobody;
    }

    /**
     * A peer lookup of the torrent started (they run one at a time). The span of empty lookups
     * counts from the start of the first that heard from nodes, not from its end: a first lookup
     * held by a gone node's stalls (3 s) looked at the DHT all that time, and counting from its end
     * kept a fetch nobody seeds past a client's default budget of 10 s.
     */
    synchronized void looking() {
        lookupStart = nanoTime.getAsLong();
    }

    /** A peer lookup of the torrent ended with {@code found}. */
    void looked(PeersFound f) {
        String why;
        synchronized (this) {
            if (f.answered() == 0) {
                return;
            }
            if (lookups++ == 0) {
                firstLookup = lookupStart >= 0 ? lookupStart : nanoTime.getAsLong();
            }
            if (found.addAll(f.peers())) {
                failed = false;
            } else if (failed) {
                lookupsSince++;
            }
            why = judge();
        }
        tell(why);
    }

    /** bt connected to {@code peer} for the torrent (or the peer to it): it has {@link #IDLE} to show a piece. */
    void connected(InetSocketAddress peer) {
        synchronized (this) {
            connected.merge(peer, 1, Integer::sum);
        }
        afterIdle.execute(() -> idle(peer));
    }

    /** The torrent's metadata came: each peer connected has {@link #IDLE} again to show a piece (bt reports bitfields only now). */
    void metadata() {
        Set<InetSocketAddress> now;
        synchronized (this) {
            now = Set.copyOf(connected.keySet());
            now.forEach(p -> connected.merge(p, 1, Integer::sum));
        }
        now.forEach(p -> afterIdle.execute(() -> idle(p)));
    }

    /**
     * Whether peers were found and each of them has failed (refused, or idle without a piece),
     * with no lookup naming another since: the fetch goes on only if the DHT names a peer that
     * serves it, so its peers are to be looked up again ({@link DhtPeerSource}).
     */
    synchronized boolean exhausted() {
        return failed && !served;
    }

    /** A peer showed a piece of the torrent (or sent one): somebody serves it, and nobody() never completes. */
    synchronized void served() {
        served = true;
    }

    /** bt's connection to {@code peer} for the torrent failed. */
    void refused(InetSocketAddress peer) {
        String why;
        synchronized (this) {
            refusals.merge(peer, 1, Integer::sum);
            why = judge();
        }
        tell(why);
    }

    /** {@link #IDLE} has passed since {@code peer} connected, or since the metadata came. */
    private void idle(InetSocketAddress peer) {
        String why;
        synchronized (this) {
            connected.merge(peer, -1, Integer::sum);
            why = judge();
        }
        tell(why);
    }

    /** Why nobody seeds the torrent, or null while somebody may; under this. */
    private String judge() {
        if (served || connected.values().stream().anyMatch(due -> due > 0)) {
            // a peer connected has time to show a piece: once it is idle, the DHT is asked anew
            failed = false;
            return null;
        }
        if (found.isEmpty()) {
            return lookups >= EMPTY_LOOKUPS && nanoTime.getAsLong() - firstLookup >= EMPTY_SPAN.toNanos()
                    ? "nobody seeds it (" + lookups + " DHT lookups of its peers over " + Durations.format(EMPTY_SPAN)
                            + " found none)"
                    : null;
        }
        int idle = 0;
        for (InetSocketAddress p : found) {
            if (connected.containsKey(p)) {
                idle++;
            } else if (refusals.getOrDefault(p, 0) < REFUSALS_EACH) {
                failed = false;
                return null;
            }
        }
        long now = nanoTime.getAsLong();
        if (!failed) {
            // the DHT is asked again before the fetch ends: a seeder's announcement may land late
            failed = true;
            failedSince = now;
            lookupsSince = 0;
        }
        if (lookupsSince < EMPTY_LOOKUPS || now - failedSince < EMPTY_SPAN.toNanos()) {
            return null;
        }
        String peers = found.size() == 1 ? "the one peer" : "each of the " + found.size() + " peers";
        return "nobody seeds it (" + peers + " the DHT named, " + found.iterator().next() + (found.size() == 1 ? "" : " and others")
                + ", " + (idle == 0 ? "refused it " + REFUSALS_EACH + " times"
                        : idle == found.size() ? "had none of it " + Durations.format(IDLE) + " after connecting"
                        : "refused it " + REFUSALS_EACH + " times or had none of it " + Durations.format(IDLE) + " after connecting")
                + "; " + lookupsSince + " DHT lookups over " + Durations.format(EMPTY_SPAN) + " since named no other)";
    }

    /** Completes {@link #nobody} with {@code why} (null: not yet), outside the lock: its dependents run here. */
    private void tell(String why) {
        if (why != null) {
            nobody.complete(why);
        }
    }
}
