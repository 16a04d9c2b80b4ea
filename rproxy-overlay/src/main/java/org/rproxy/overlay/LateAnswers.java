package org.rproxy.overlay;

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
 * requests all ended (answered, refused or timed out), so a lookup of something the DHT does
 * not hold, among nodes that are gone, costs at most that much more.
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

    private ScheduledFuture<?> timer;
    private volatile boolean over;

    /**
     * Sets when {@code call} to {@code node} is taken for lost: a node known to answer fast well
     * before mldht's general stall timeout, one never heard from after {@value #UNKNOWN_STALL_MS}
     * ms (mldht's timeout, up to 10 s, let one host that sent pings under made-up ids add 16 s to
     * every lookup); mldht's own when that is sooner.
     */
    static void expectRtt(RPCCall call, KBucketEntry node, RPCServer srv) {
        int known = node.getRTT();
        long rtt = known >= DHTConstants.RPC_CALL_TIMEOUT_MAX ? UNKNOWN_STALL_MS : Math.max(MIN_STALL_MS, 3L * known);
        if (rtt < Math.min(DHTConstants.RPC_CALL_TIMEOUT_MAX, srv.getTimeoutFilter().getStallTimeout())) {
            call.setExpectedRTT(rtt);
        }
    }

    /**
     * Whether the lookup, about to end, waits instead: it found nothing, {@code onTheirWay}
     * (requests given up are still on their way), and the wait, started by the first such call,
     * is not over. Once it is, {@code step} runs on {@code scheduler}.
     */
    boolean holdEnd(boolean found, boolean onTheirWay, ScheduledExecutorService scheduler, Runnable step) {
        if (found || !onTheirWay || over) {
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

    /** The lookup ended: the wait, if any, is not needed. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
