package org.rproxy.overlay;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import lbms.plugins.mldht.kad.DBItem;
import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.DHTConstants;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.PeerAddressDBItem;
import lbms.plugins.mldht.kad.RPCCall;
import lbms.plugins.mldht.kad.RPCCallListener;
import lbms.plugins.mldht.kad.RPCServer;
import lbms.plugins.mldht.kad.RPCState;
import lbms.plugins.mldht.kad.messages.AbstractLookupRequest;
import lbms.plugins.mldht.kad.messages.AbstractLookupResponse;
import lbms.plugins.mldht.kad.messages.GetPeersRequest;
import lbms.plugins.mldht.kad.messages.GetPeersResponse;
import lbms.plugins.mldht.kad.messages.GetRequest;
import lbms.plugins.mldht.kad.messages.GetResponse;
import lbms.plugins.mldht.kad.messages.MessageBase;
import lbms.plugins.mldht.kad.utils.AddressUtils;

/**
 * One iterative Kademlia lookup (BEP 44 {@code get} or BEP 5 {@code get_peers}) over mldht's RPC
 * layer that ends only once the {@value #K} closest nodes it learnt of (twice as many for an
 * item, three times as many while nothing is found) have answered, or have been asked twice in
 * vain: it collects every valid item or peer any node returned, and the write tokens of the nodes
 * that answered (for the put or announce that follows).
 *
 * <p>Why not mldht's {@code GetLookupTask}/{@code PeerLookupTask}: they leave out, for the whole
 * lookup, every node this node sent ten requests to in the last few seconds (its outgoing spam
 * throttle), and a node that does not answer before the lookup settles is not waited for; in a
 * small or busy DHT such a lookup ends without asking the nodes that hold the item, and a put
 * stores it on nodes farther out, where the next lookup does not look. Here the throttle only
 * delays a request (mldht's RPC layer queues it), a request that stalls is sent once more, the
 * end is decided by the closest nodes alone, and a lookup that found nothing waits a little for
 * late answers ({@link LateAnswers}). This node's own address is never asked, under whatever id
 * another node lists it ({@link OwnAddresses}); a lookup starts from what this node itself stores
 * ({@link OwnItem}, {@link OwnPeers}). Which listings are asked is {@link LookupCandidates}'.
 *
 * <p>Runs on mldht's threads (responses, timeouts, its scheduler for sending); never blocks.
 * Thread-safe: its state is guarded by this object, and requests are sent outside the lock.
 */
final class NearestLookup {
    /** Nodes that must answer, and that a put or announce stores on (BEP 5's K). */
    static final int K = DHTConstants.MAX_ENTRIES_PER_BUCKET;
    private static final int IN_FLIGHT = 8;
    /** A bound on the requests of one lookup, whatever the nodes answer. */
    private static final int MAX_REQUESTS = 128;
    /** How many times K nodes a lookup asks while nothing is found. */
    static final int WIDEN = 3;

    private final DHT dht;
    private final RPCServer srv;
    private final Key target;
    private final byte[] salt;
    private final boolean peerLookup;
    private final LookupCandidates candidates;
    /** This node's own addresses: never asked, whatever id a node lists them under. */
    private final Set<InetSocketAddress> self;
    private final Map<KBucketEntry, byte[]> tokens = new HashMap<>();
    private final Map<KBucketEntry, Long> seqs = new HashMap<>();
    private final PeerTally peers = new PeerTally();
    private final CompletableFuture<LookupResult> done = new CompletableFuture<>();
    private final LateAnswers late;
    private StorageItem best;
    private int requests;

    private NearestLookup(DHT dht, RPCServer srv, Key target, byte[] salt, boolean peerLookup, AnswerDelays delays) {
        this.dht = dht;
        this.late = new LateAnswers(delays);
        this.srv = srv;
        this.target = target;
        this.salt = salt;
        this.peerLookup = peerLookup;
        this.self = OwnAddresses.of(dht);
        this.candidates = new LookupCandidates(target);
    }

    /** Looks up the BEP 44 item at {@code target} (whose salt is {@code salt}, or null); {@code delays}: the node's. */
    static CompletableFuture<LookupResult> get(DHT dht, RPCServer srv, Key target, byte[] salt, AnswerDelays delays) {
        return new NearestLookup(dht, srv, target, salt, false, delays).start();
    }

    /** Looks up the peers of the torrent {@code infoHash}; {@code delays}: the node's. */
    static CompletableFuture<LookupResult> peers(DHT dht, RPCServer srv, Key infoHash, AnswerDelays delays) {
        return new NearestLookup(dht, srv, infoHash, null, true, delays).start();
    }

    private CompletableFuture<LookupResult> start() {
        synchronized (this) {
            if (!peerLookup) {
                best = OwnItem.of(dht, target).orElse(null);
            } else {
                peers.namedBy(OwnPeers.of(dht, target));
            }
            StartingNodes.of(dht, target).forEach(e -> add(e, null));
        }
        step();
        return done;
    }

    private void add(KBucketEntry e, KBucketEntry lister) {
        if (!dht.getNode().isLocalId(e.getID()) && !self.contains(e.getAddress()) && !AddressUtils.isBogon(e.getAddress())
                && !(late.skips(e) && !StartingNodes.known(dht, e.getAddress()))) {
            candidates.add(e, lister);
        }
    }

    /**
     * Sends to the closest candidates not yet answered (at most {@value #IN_FLIGHT} outstanding,
     * stalled ones not counted), and ends the lookup once the {@value #K} closest that did not
     * fail have answered, or nothing is left to wait for ({@link LateAnswers} aside).
     */
    private void step() {
        List<Map.Entry<KBucketEntry, LookupCandidate>> send = new ArrayList<>();
        LookupResult result = null;
        synchronized (this) {
            if (done.isDone()) {
                return;
            }
            int active = 0;
            for (Map.Entry<KBucketEntry, LookupCandidate> e : candidates.inOrder()) {
                active += e.getValue().live - e.getValue().stalled;
            }
            // nothing found yet: look farther out, where nodes that were closest when it was
            // stored may still hold it (nodes that joined since are closer, and lack it); an item
            // found: still hear from twice K, as a newer version may sit on nodes that the
            // publisher's own lookup took for the closest
            boolean found = best != null || !peers.isEmpty();
            int window = !found ? K * WIDEN : peerLookup ? K : 2 * K;
            int considered = 0;
            boolean settled = true;
            for (Map.Entry<KBucketEntry, LookupCandidate> e : candidates.inOrder()) {
                LookupCandidate c = e.getValue();
                candidates.dropIfSpent(e.getKey(), c);
                if (c.gaveUp()) {
                    late.gaveUp(e.getKey(), c);
                    continue;
                }
                if (considered++ == window) {
                    break;
                }
                if (c.answered) {
                    continue;
                }
                settled = false;
                if (!c.pending() && c.attempts < LookupCandidate.ATTEMPTS && active < IN_FLIGHT && requests < MAX_REQUESTS
                        && candidates.mayAsk(e.getKey(), c)) {
                    c.attempts++;
                    c.live++;
                    requests++;
                    active++;
                    send.add(e);
                }
            }
            if ((settled || active == 0) && !late.holdEnd(found, candidates, dht.getScheduler(), this::step)) {
                late.cancel();
                result = new LookupResult(target, tokens, Optional.ofNullable(best), seqs, peers.ranked(), candidates.asked());
            }
        }
        if (result != null) {
            done.complete(result);
            return;
        }
        for (Map.Entry<KBucketEntry, LookupCandidate> e : send) {
            RPCCall call = new RPCCall(request(e.getKey().getAddress())).setExpectedID(e.getKey().getID());
            call.builtFromEntry(e.getKey());
            LateAnswers.expectRtt(call, e.getKey(), srv);
            call.addListener(listener(e.getKey(), e.getValue()));
            // not from inside a call's listener, which holds that call's lock while mldht sends
            dht.getScheduler().execute(() -> srv.doCall(call));
        }
    }

    private MessageBase request(InetSocketAddress to) {
        AbstractLookupRequest r = peerLookup ? new GetPeersRequest(target) : new GetRequest(target);
        r.setWant4(dht.getType() == DHT.DHTtype.IPV4_DHT);
        r.setWant6(dht.getType() == DHT.DHTtype.IPV6_DHT);
        r.setDestination(to);
        return r;
    }

    /** Follows one request: a stall frees its slot (the node may be asked again), its end settles it. */
    private RPCCallListener listener(KBucketEntry entry, LookupCandidate c) {
        return new RPCCallListener() {
            private boolean stalled;

            @Override
            public void stateTransition(RPCCall call, RPCState previous, RPCState current) {
                synchronized (NearestLookup.this) {
                    switch (current) {
                        case STALLED -> {
                            stalled = true;
                            c.stalled++;
                        }
                        case RESPONDED, TIMEOUT, ERROR -> {
                            c.live--;
                            c.stalled -= stalled ? 1 : 0;
                            if (current == RPCState.RESPONDED) {
                                late.answered(entry.getAddress(), stalled);
                                answeredOrRefused(entry, c, call);
                            } else if (current == RPCState.ERROR) {
                                c.refused = true;
                            }
                        }
                        default -> {
                            return;
                        }
                    }
                }
                step();
            }
        };
    }

    /**
     * Takes a response ({@link #answered}), one it cannot read as a refusal: nothing may escape
     * mldht's listener, where a throw skipped the step after it (the lookup waited forever).
     */
    private void answeredOrRefused(KBucketEntry entry, LookupCandidate c, RPCCall call) {
        try {
            answered(entry, c, call);
        } catch (RuntimeException e) {
            c.answered = false;
            c.refused = true;
            GetAnswers.unreadable(target, entry.getAddress(), e);
        }
    }

    /**
     * Takes a response: its token, its value or peers (checked), and the closer nodes it names.
     * One under another id than the node was listed with is the answer of the node at that
     * address (restarted with a new id, or listed under one made up): the listing is refused,
     * the answer taken under its own id. Else a node listing every address it names under made-up
     * ids kept their nodes out of the lookup, which asks no more of an address once it answered
     * ({@link LookupCandidates}).
     */
    private void answered(KBucketEntry entry, LookupCandidate c, RPCCall call) {
        MessageBase rsp = call.getResponse();
        if (!(rsp instanceof AbstractLookupResponse lookup)) {
            c.refused = true;
            return;
        }
        if (!call.matchesExpectedID()) {
            c.refused = true;
            if (dht.getNode().isLocalId(rsp.getID())) {
                return;
            }
            entry = new KBucketEntry(entry.getAddress(), rsp.getID());
            c = candidates.add(entry);
            if (c.answered) {
                return;
            }
            c.attempts = Math.max(1, c.attempts);
        }
        candidates.answeredFrom(entry.getAddress().getAddress());
        c.answered = true;
        if (lookup.getToken() != null) {
            tokens.put(entry, lookup.getToken());
        }
        if (rsp instanceof GetResponse get) {
            take(entry, get);
        } else if (rsp instanceof GetPeersResponse gp && gp.getPeerItems() != null) {
            List<InetSocketAddress> named = new ArrayList<>();
            for (DBItem item : gp.getPeerItems()) {
                if (item instanceof PeerAddressDBItem peer) {
                    named.add(peer.toSocketAddress());
                }
            }
            peers.namedBy(named);
        }
        KBucketEntry lister = entry;
        LookupCandidates.fromOneAnswer(lookup.getNodes(dht.getType()).entries().toList()).forEach(e -> add(e, lister));
    }

    private void take(KBucketEntry from, GetResponse get) {
        StorageItem item = GetAnswers.itemOf(get, from.getAddress(), target, salt, best);
        if (item == null) {
            return;
        }
        seqs.put(from, item.seq());
        if (best == null || item.seq() > best.seq()) {
            best = item;
        }
    }
}
