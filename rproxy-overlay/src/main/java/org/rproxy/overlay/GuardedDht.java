package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.SocketException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import lbms.plugins.mldht.DHTConfiguration;
import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.Database;
import lbms.plugins.mldht.kad.Database.PeersSeeds;
import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.PeerAddressDBItem;
import lbms.plugins.mldht.kad.messages.AnnounceRequest;
import lbms.plugins.mldht.kad.messages.ErrorMessage.ErrorCode;
import lbms.plugins.mldht.kad.messages.MessageBase;
import lbms.plugins.mldht.kad.messages.PutRequest;

import org.rproxy.overlay.StoreQuota.Admission;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An mldht node that bounds what others store on it ({@link StoreLimits}): a BEP 44 put or a
 * BEP 5 announce past its source's quota or the node's total is answered with a 202 error
 * ("storage full") instead of being stored, and a timer of its own ({@code rproxy-dht-trim},
 * never mldht's threads) trims the BEP 44 store back to its bound every {@code trimSeconds}.
 * mldht gives no way to remove an item, nor to tell whether an announce was stored, so this
 * works on the maps of its stores (read once, from the fields mldht 1.10 keeps them in; a
 * version without them fails the node's start, and this module's tests).
 */
final class GuardedDht extends DHT {
    private static final Logger log = LoggerFactory.getLogger(GuardedDht.class);

    private final StoreQuota quota;
    private final PeerQuota peers;
    /** mldht's maps of its stores, read once it started (it makes them in its start). */
    private volatile Map<Key, StorageItem> items;
    private volatile Map<Key, PeersSeeds> peerStore;
    private final long trimSeconds;
    /** Epoch milliseconds, the clock mldht stamps its entries with (the system's). */
    private final Clock clock;
    private final ScheduledExecutorService trimmer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rproxy-dht-trim");
        t.setDaemon(true);
        return t;
    });

    GuardedDht(DHTtype type, StoreLimits limits, long trimSeconds, Clock clock) {
        super(type);
        this.quota = new StoreQuota(limits);
        this.peers = new PeerQuota(limits);
        this.trimSeconds = trimSeconds;
        this.clock = clock;
    }

    /** The map mldht 1.10 keeps {@code store}'s entries in (its field {@code items}). */
    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> mapOf(Class<?> type, Object store) {
        try {
            Field f = type.getDeclaredField("items");
            f.setAccessible(true);
            return (Map<K, V>) requireNonNull(f.get(store), "mldht's map");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot bound the DHT's storage: mldht's " + type.getSimpleName()
                    + " has no items map (another bt-dht version?): " + e, e);
        }
    }

    @Override
    public void start(DHTConfiguration config) throws SocketException {
        super.start(config);
        try {
            items = mapOf(GenericStorage.class, getStorage());
            peerStore = mapOf(Database.class, getDatabase());
        } catch (IllegalStateException e) {
            stop();
            throw e;
        }
        trimmer.scheduleWithFixedDelay(this::trim, trimSeconds, trimSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void put(PutRequest req) {
        Key target = req.deriveTargetKey();
        InetAddress from = req.getOrigin().getAddress();
        Map<Key, StorageItem> items = this.items;
        Admission admission = items == null ? Admission.REFUSED : quota.reserve(target, from, items);
        if (refused(admission, req, "put", target, from)) {
            return;
        }
        boolean stored = false;
        try {
            super.put(req);
            stored = items.containsKey(target);
        } finally {
            quota.settle(admission, target, from, stored);
        }
    }

    @Override
    public void announce(AnnounceRequest req) {
        InetAddress from = req.getOrigin().getAddress();
        Key infoHash = req.getInfoHash();
        Map<Key, PeersSeeds> peerStore = this.peerStore;
        Admission admission = peerStore == null ? Admission.REFUSED : peers.reserve(infoHash, from, req.getPort());
        if (refused(admission, req, "announce", infoHash, from)) {
            return;
        }
        boolean stored = false;
        try {
            super.announce(req);
            PeersSeeds held = peerStore.get(infoHash);
            PeerAddressDBItem entry = PeerAddressDBItem.createFromAddress(from, req.getPort(), req.isSeed());
            stored = held != null && (held.peers().stream().anyMatch(entry::equals)
                    || held.seeds().stream().anyMatch(entry::equals));
        } finally {
            peers.settle(admission, infoHash, from, req.getPort(), stored, clock.millis());
        }
    }

    /** Answers {@code req} with a 202 error ("storage full") when {@code admission} refused it. */
    private boolean refused(Admission admission, MessageBase req, String what, Key key, InetAddress from) {
        if (admission != Admission.REFUSED) {
            return false;
        }
        log.debug("DHT {} of {} from {} refused: storage full", what, key, from);
        sendError(req, ErrorCode.ServerError.code, "storage full");
        return true;
    }

    /** {@code target} is one of this node's own pointers: never trimmed. */
    void own(Key target) {
        quota.own(target);
    }

    /** The BEP 44 items this node holds now. */
    int storedItems() {
        Map<Key, StorageItem> items = this.items;
        return items == null ? 0 : items.size();
    }

    /** The BEP 5 peer entries this node counts now (see {@link PeerQuota}). */
    int storedPeers() {
        return peers.size();
    }

    /** Trims the stores to their bounds now (the timer does it every few seconds). */
    void trim() {
        try {
            int removed = items == null ? 0 : quota.trim(items, getOurID());
            peers.trim(clock.millis());
            if (removed > 0) {
                log.info("DHT storage over its bound of {} items: dropped the {} farthest from this node",
                        quota.limits().items(), removed);
            }
        } catch (RuntimeException e) {
            log.warn("trimming the DHT's storage failed: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        trimmer.shutdownNow();
        super.stop();
    }
}
