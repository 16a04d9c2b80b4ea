package org.rproxy.overlay;

import java.util.Optional;

import lbms.plugins.mldht.kad.DHT;
import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.Key;

/**
 * The BEP 44 item a DHT node itself stores at a target, where its own lookups start: a lookup
 * asks every node but this one ({@link OwnAddresses}), so an item stored on this node alone (a
 * publisher's put lands on the closest nodes other than the publisher, and this may be one of
 * them) would otherwise not be found by this node's own get. Taken without a signature check:
 * mldht 1.10 stores an item only through a put, under the target it derives from the put's own
 * key and salt (or, immutable, its value), and only when its signature holds; the target is
 * checked again all the same. Stateless.
 */
final class OwnItem {
    private OwnItem() {
    }

    /** The item {@code dht} stores at {@code target} (none before its start). */
    static Optional<StorageItem> of(DHT dht, Key target) {
        GenericStorage storage = dht.getStorage();
        return storage == null ? Optional.empty() : storage.get(target).filter(i -> target.equals(i.fingerprint()));
    }
}
