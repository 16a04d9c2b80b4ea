package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.DHTConstants;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.RPCCall;
import lbms.plugins.mldht.kad.RPCCallListener;
import lbms.plugins.mldht.kad.RPCServer;
import lbms.plugins.mldht.kad.RPCState;
import lbms.plugins.mldht.kad.messages.AnnounceRequest;
import lbms.plugins.mldht.kad.messages.MessageBase;
import lbms.plugins.mldht.kad.messages.PutRequest;

/**
 * Stores one thing (a BEP 44 {@code put}, or a BEP 5 {@code announce_peer}) on the
 * {@value NearestLookup#K} closest nodes a {@link NearestLookup} heard from, with the tokens
 * they gave; completes with how many took it: for a publisher's put, how many answer a get with
 * it afterwards, not how many acknowledged it ({@link #put(DHT, RPCServer, LookupResult, StorageItem)}).
 *
 * <p>Why not mldht's {@code PutTask}/{@code AnnounceTask}: they wait out mldht's full call
 * timeout (10 s) for every request lost on the way, and a busy node drops requests (its
 * per-sender throttle). Here a request that stalls is sent once more, and one that stalls again
 * is given up, so a store ends within a few round trips.
 *
 * <p>Runs on mldht's threads; never blocks. Thread-safe (guarded by this object).
 */
final class NearestStore {
    private static final int ATTEMPTS = 2;
    private static final long MIN_STALL_MS = 500;

    private final DHT dht;
    private final RPCServer srv;
    private final BiFunction<KBucketEntry, byte[], MessageBase> request;
    /** The item a node that acknowledged a put is asked back for ({@link HeldCheck}); null: an acknowledgement counts. */
    private final StorageItem check;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    /** Nodes that answered the lookup beyond the closest, closest first: each takes the place of one that acked and holds nothing. */
    private final Deque<Target> spares = new ArrayDeque<>();
    /** Targets not finished. */
    private int open;
    private int stored;

    private NearestStore(DHT dht, RPCServer srv, BiFunction<KBucketEntry, byte[], MessageBase> request, StorageItem check) {
        this.dht = dht;
        this.srv = srv;
        this.request = request;
        this.check = check;
    }

    /**
     * Puts {@code item} on the closest of {@code found}'s nodes, and counts those that answer a
     * get with it afterwards ({@link HeldCheck}); each that acknowledged it and holds nothing, or
     * refused it, or never answered, is replaced by the next closest that answered the lookup, up
     * to {@value NearestLookup#WIDEN} times {@value NearestLookup#K} nodes in all (as far out as a
     * reader's lookup looks while it finds nothing): nodes that answer lookups and keep nothing put
     * on them, however they answer the put, cannot keep the item off the next. Not when the lookup
     * found a newer version of the item: then the closest refuse it rightly, and it goes no farther.
     */
    static CompletableFuture<Integer> put(DHT dht, RPCServer srv, LookupResult found, StorageItem item) {
        requireNonNull(item, "item");
        NearestStore store = new NearestStore(dht, srv, (e, token) -> {
            PutRequest put = new PutRequest();
            put.populateFromStorage(item);
            put.setToken(token);
            return put;
        }, item);
        List<KBucketEntry> order = new ArrayList<>(found.closestTokens(NearestLookup.K * NearestLookup.WIDEN).keySet());
        order.sort(new KBucketEntry.DistanceOrder(found.target()));
        Map<KBucketEntry, byte[]> first = new HashMap<>();
        // where a newer version lies, the closest refuse this one as they should: none farther gets it in their place
        boolean older = found.item().filter(held -> held.seq() > item.seq()).isPresent();
        for (int i = 0; i < order.size(); i++) {
            KBucketEntry e = order.get(i);
            if (i < NearestLookup.K) {
                first.put(e, found.tokens().get(e));
            } else if (!older) {
                store.spares.add(new Target(e, found.tokens().get(e)));
            }
        }
        return store.start(first);
    }

    /** Announces this node's BitTorrent {@code port} as a seed of {@code infoHash} on the closest of {@code found}'s nodes. */
    static CompletableFuture<Integer> announce(DHT dht, RPCServer srv, LookupResult found, Key infoHash, int port) {
        requireNonNull(infoHash, "infoHash");
        return new NearestStore(dht, srv, (e, token) -> {
            AnnounceRequest a = new AnnounceRequest(infoHash, port, token);
            a.setSeed(true);
            return a;
        }, null).start(found.closestTokens(NearestLookup.K));
    }

    /**
     * Stores a signed item on the nodes given with their tokens (BEP 44 lets anyone store a
     * signed item; the nodes check the signature).
     */
    static CompletableFuture<Integer> put(DHT dht, RPCServer srv, Map<KBucketEntry, byte[]> to, StorageItem item) {
        requireNonNull(item, "item");
        return new NearestStore(dht, srv, (e, token) -> {
            PutRequest put = new PutRequest();
            put.populateFromStorage(item);
            put.setToken(token);
            return put;
        }, null).start(to);
    }

    private CompletableFuture<Integer> start(Map<KBucketEntry, byte[]> to) {
        List<Target> targets = new ArrayList<>();
        to.forEach((e, token) -> targets.add(new Target(e, token)));
        synchronized (this) {
            open = targets.size();
        }
        if (targets.isEmpty()) {
            done.complete(0);
        }
        targets.forEach(this::send);
        return done;
    }

    /** One node to store on; guarded by the store. */
    private static final class Target {
        final KBucketEntry entry;
        final byte[] token;
        int attempts;
        /** Requests sent and not ended. */
        int live;
        /** Of those, the ones past their expected round trip. */
        int stalled;
        boolean finished;

        Target(KBucketEntry entry, byte[] token) {
            this.entry = entry;
            this.token = token;
        }
    }

    private void send(Target t) {
        MessageBase req = request.apply(t.entry, t.token);
        req.setDestination(t.entry.getAddress());
        RPCCall call = new RPCCall(req).setExpectedID(t.entry.getID());
        call.builtFromEntry(t.entry);
        long rtt = Math.max(MIN_STALL_MS, 3L * t.entry.getRTT());
        if (rtt < Math.min(DHTConstants.RPC_CALL_TIMEOUT_MAX, srv.getTimeoutFilter().getStallTimeout())) {
            call.setExpectedRTT(rtt);
        }
        synchronized (this) {
            t.attempts++;
            t.live++;
        }
        call.addListener(new RPCCallListener() {
            private boolean stalled;

            @Override
            public void stateTransition(RPCCall c, RPCState previous, RPCState current) {
                boolean again = false;
                boolean acked = false;
                boolean ends;
                synchronized (NearestStore.this) {
                    if (t.finished) {
                        return;
                    }
                    switch (current) {
                        case RESPONDED -> {
                            acked = c.matchesExpectedID();
                            t.finished = true;
                        }
                        // a refusal (an old seq, a stale token) is final
                        case ERROR -> t.finished = true;
                        case STALLED -> {
                            stalled = true;
                            t.stalled++;
                        }
                        case TIMEOUT -> {
                            t.live--;
                            t.stalled -= stalled ? 1 : 0;
                        }
                        default -> {
                            return;
                        }
                    }
                    // nothing on its way that may still answer in time: ask once more, or give up
                    if (!t.finished && t.live == t.stalled) {
                        again = t.attempts < ATTEMPTS;
                        t.finished = !again;
                    }
                    ends = t.finished;
                }
                if (again) {
                    send(t);
                } else if (acked && check != null) {
                    HeldCheck.holds(dht, srv, t.entry, check).thenAccept(held -> ended(held, !held));
                } else if (ends) {
                    ended(acked, check != null && !acked); // a put refused or never answered took nothing either
                }
            }
        });
        // not from inside a call's listener, which holds that call's lock while mldht sends
        dht.getScheduler().execute(() -> srv.doCall(call));
    }

    /**
     * One target ended: {@code held} whether it counts as storing it; {@code replace} whether the
     * next spare takes its place (a publisher's put that it acknowledged and holds nothing, refused,
     * or never answered).
     */
    private void ended(boolean held, boolean replace) {
        Target next = null;
        int result = -1;
        synchronized (this) {
            stored += held ? 1 : 0;
            if (replace && !spares.isEmpty()) {
                next = spares.poll();
            } else if (--open == 0) {
                result = stored;
            }
        }
        if (next != null) {
            send(next);
        }
        if (result >= 0) {
            done.complete(result);
        }
    }
}
