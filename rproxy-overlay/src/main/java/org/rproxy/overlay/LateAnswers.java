package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import lbms.plugins.mldht.kad.DHTConstants;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.RPCCall;
import lbms.plugins.mldht.kad.RPCServer;

/**
 * When one {@link NearestLookup} takes a request for lost ({@link #expectRtt}), and its wait, when
 * it found nothing, for the answers of the nodes it took for lost: a node is given up once a
 * request to it and the one sent after it stalled (past the node's expected round trip, half a
 * second for a node heard from), but a request is still on its way until mldht's timeout, and its
 * answer may yet come.
 *
 * <p>Why: on a busy host (a phone, a build on two cores) every answer comes late, so every
 * request stalled and the lookup ended within a second with nothing found, which a pointer lookup
 * takes for final. It now ends only once those answers came or {@value #WAIT_MS} ms passed since
 * it would have ended. A lookup that found what it looked for does not wait, nor one whose
 * requests all ended (answered, refused or timed out). Nor does one whose silent nodes were
 * never heard from (listed by other nodes' answers, no round trip measured), unless answers to
 * this node have come late lately ({@link AnswerDelays}): such a node is most often gone, and
 * the wait made every lookup of something the DHT does not hold, among nodes that are gone, cost
 * {@value #WAIT_MS} ms more (a viewer whose overlay has no copy waited that much longer for a
 * server, and a fetch nobody seeds three times that, past a client's default budget).
 *
 * <p>Guarded by its lookup; the wait's end runs the lookup's next step on mldht's scheduler.
 */
final class LateAnswers {
    /** The shortest wait before a request to a node known to answer fast is taken for lost. */
    private static final long MIN_STALL_MS = 500;
    /** The wait before a request to a node with no round trip measured (never heard from) is taken for lost. */
    static final long UNKNOWN_STALL_MS = 1500;
    /** How long a lookup that found nothing waits for the answers of requests it took for lost. */
    static final long WAIT_MS = 2500;

    private final AnswerDelays delays;
    private ScheduledFuture<?> timer;
    private volatile boolean over;

    /** A lookup's wait, told by {@code delays} whether answers come late at its node (and telling it when one did). */
    LateAnswers(AnswerDelays delays) {
        this.delays = requireNonNull(delays, "delays");
    }

    /**
     * Sets when {@code call} to {@code node} is taken for lost: a node known to answer fast well
     * before mldht's general stall timeout, one never heard from after {@value #UNKNOWN_STALL_MS}
     * ms (mldht's timeout, up to 10 s, let one host that sent pings under made-up ids add 16 s to
     * every lookup); mldht's own when that is sooner.
     */
    static void expectRtt(RPCCall call, KBucketEntry node, RPCServer srv) {
        long rtt = heardFrom(node) ? Math.max(MIN_STALL_MS, 3L * node.getRTT()) : UNKNOWN_STALL_MS;
        if (rtt < Math.min(DHTConstants.RPC_CALL_TIMEOUT_MAX, srv.getTimeoutFilter().getStallTimeout())) {
            call.setExpectedRTT(rtt);
        }
    }

    /** Whether this node has measured a round trip to {@code node}: it answered this node before. */
    static boolean heardFrom(KBucketEntry node) {
        return node.getRTT() < DHTConstants.RPC_CALL_TIMEOUT_MAX;
    }

    /**
     * Whether the lookup, about to end, waits instead: it found nothing, requests of nodes it gave
     * up are still on their way ({@code candidates}; of nodes heard from only, unless answers came
     * late lately), and the wait, started by the first such call, is not over. Once it is,
     * {@code step} runs on {@code scheduler}.
     */
    boolean holdEnd(boolean found, LookupCandidates candidates, ScheduledExecutorService scheduler, Runnable step) {
        if (found || over || !candidates.lateOnTheirWay(delays.lately())) {
            return false;
        }
        if (timer == null) {
            timer = scheduler.schedule(() -> {
                over = true;
                step.run();
            }, WAIT_MS, TimeUnit.MILLISECONDS);
        }
        return true;
    }

    /** A request of the lookup to {@code node} was answered; {@code afterStall}: after it was taken for lost. */
    void answered(InetSocketAddress node, boolean afterStall) {
        delays.answered(node);
        if (afterStall) {
            delays.late();
        }
    }

    /**
     * The lookup gave {@code node} up: if it was never heard from and was asked in vain (not
     * refused), the next lookups leave it out for a while ({@link AnswerDelays#skips}).
     */
    void gaveUp(KBucketEntry node, LookupCandidate c) {
        if (!c.refused && c.attempts >= LookupCandidate.ATTEMPTS && !heardFrom(node)) {
            delays.silent(node.getAddress());
        }
    }

    /** Whether the lookup leaves {@code node} out: never heard from, and given up lately ({@link AnswerDelays#skips}). */
    boolean skips(KBucketEntry node) {
        return !heardFrom(node) && delays.skips(node.getAddress());
    }

    /** The lookup ended: the wait, if any, is not needed. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
