package org.rproxy.overlay;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.DHTConstants;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.RPCCall;
import lbms.plugins.mldht.kad.RPCCallListener;
import lbms.plugins.mldht.kad.RPCServer;
import lbms.plugins.mldht.kad.RPCState;
import lbms.plugins.mldht.kad.messages.GetRequest;
import lbms.plugins.mldht.kad.messages.GetResponse;

/**
 * Asks a node that acknowledged a put for the item back ({@link NearestStore}): a node may answer
 * every put and keep nothing, and counted as a holder it made the publisher believe its pointer
 * held by the closest nodes (and renew it only at {@code republish}) while every reader's lookup
 * found nothing there. One BEP 44 {@code get} per node, sent again once if it stalls, as the put
 * was. Holding means answering with that very item (key, seq, value and signature, as put): an
 * older or other one, none, or no answer is not holding it. Runs on mldht's threads; never blocks.
 */
final class HeldCheck {
    private static final long MIN_STALL_MS = 500;

    private HeldCheck() {
    }

    /** Completes with whether {@code node} answers a get of {@code item}'s target with {@code item}; never exceptionally. */
    static CompletableFuture<Boolean> holds(DHT dht, RPCServer srv, KBucketEntry node, StorageItem item) {
        CompletableFuture<Boolean> held = new CompletableFuture<>();
        ask(dht, srv, node, item, held, new AtomicBoolean());
        return held;
    }

    /** Asks {@code node}; once more ({@code resent} unset) when that request stalls or is lost. */
    private static void ask(DHT dht, RPCServer srv, KBucketEntry node, StorageItem item, CompletableFuture<Boolean> held,
                            AtomicBoolean resent) {
        boolean last = resent.get();
        GetRequest get = new GetRequest(item.fingerprint());
        get.setWant4(dht.getType() == DHT.DHTtype.IPV4_DHT);
        get.setWant6(dht.getType() == DHT.DHTtype.IPV6_DHT);
        get.setDestination(node.getAddress());
        RPCCall call = new RPCCall(get).setExpectedID(node.getID());
        call.builtFromEntry(node);
        long rtt = Math.max(MIN_STALL_MS, 3L * node.getRTT());
        if (rtt < Math.min(DHTConstants.RPC_CALL_TIMEOUT_MAX, srv.getTimeoutFilter().getStallTimeout())) {
            call.setExpectedRTT(rtt);
        }
        call.addListener(new RPCCallListener() {
            @Override
            public void stateTransition(RPCCall c, RPCState previous, RPCState current) {
                switch (current) {
                    case RESPONDED -> held.complete(c.matchesExpectedID() && c.getResponse() instanceof GetResponse r
                            && isItem(r, item));
                    case STALLED, TIMEOUT -> {
                        if (!last && !held.isDone() && resent.compareAndSet(false, true)) {
                            dht.getScheduler().execute(() -> ask(dht, srv, node, item, held, resent));
                        } else if (last && current == RPCState.TIMEOUT) {
                            held.complete(false);
                        }
                    }
                    case ERROR -> held.complete(false);
                    default -> {
                    }
                }
            }
        });
        // not from inside a call's listener, which holds that call's lock while mldht sends
        dht.getScheduler().execute(() -> srv.doCall(call));
    }

    /** Whether {@code r} carries {@code item} itself; what it carries is read only as far as it is well formed. */
    static boolean isItem(GetResponse r, StorageItem item) {
        if (r.getRawValue() == null || r.getPubkey() == null || GetAnswers.malformed(r) != null) {
            return false;
        }
        try {
            StorageItem got = new StorageItem(r, item.salt().map(DhtNode::bytes).orElse(null));
            return got.fingerprint().equals(item.fingerprint()) && GetAnswers.sameAs(got, item);
        } catch (RuntimeException unreadable) {
            return false;
        }
    }
}
