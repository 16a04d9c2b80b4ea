package org.rproxy.overlay;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;
import lbms.plugins.mldht.kad.Key;
import lbms.plugins.mldht.kad.messages.GetResponse;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.rproxy.core.log.RateLimitedLog;

/**
 * What a {@link NearestLookup} takes of a node's answer to a BEP 44 {@code get}. Any node may
 * answer anything: mldht parses the fields of an answer without checking their sizes, and its
 * signature check throws (rather than saying no) for a mutable item without a signature, or
 * whose value is too large for the buffer it encodes the signed fields into. Thrown on mldht's
 * thread inside the lookup's listener, that ended nothing: the lookup waited forever for a step
 * that never came, a client's fetch for its whole budget, a publisher's store for good. So an
 * item that cannot be a BEP 44 item is dropped before any check, with a DEBUG line (as mldht's
 * lines that only say what another node sent: any host could otherwise write WARN lines into the
 * log). Stateless.
 */
final class GetAnswers {
    private static final Logger log = LoggerFactory.getLogger(GetAnswers.class);
    /** An answer no check foresaw: a WARN a minute at most, however many nodes send such. */
    private static final RateLimitedLog UNREADABLE = new RateLimitedLog(Duration.ofMinutes(1));

    /** BEP 44: a value is at most 1,000 bytes, bencoded. */
    static final int MAX_VALUE = 1000;
    private static final int KEY_BYTES = 32;
    private static final int SIGNATURE_BYTES = 64;

    private GetAnswers() {
    }

    /**
     * The item {@code get} (from {@code from}) carries for {@code target} (whose salt is
     * {@code salt}, or null), or null when it carries none that may be taken: none, one for
     * another target, one that cannot be a BEP 44 item, or a mutable one whose signature does
     * not hold. An item older than {@code best} (the newest taken so far) or a copy of it is not
     * checked again: only the others cost a signature check, which, with every reader of a
     * popular item hearing it from 16 nodes, would be most of a lookup's CPU.
     */
    static StorageItem itemOf(GetResponse get, Object from, Key target, byte[] salt, StorageItem best) {
        if (get.getRawValue() == null
                || !target.equals(GenericStorage.fingerprint(get.getPubkey(), salt, get.getRawValue()))) {
            return null;
        }
        String malformed = malformed(get);
        if (malformed != null) {
            log.debug("DHT get {}: the item {} sent is dropped: {}", target, from, malformed);
            return null;
        }
        StorageItem item = new StorageItem(get, salt);
        boolean older = best != null && item.seq() < best.seq();
        if (!older && !sameAs(item, best) && item.mutable() && !item.validateSig()) {
            return null;
        }
        return item;
    }

    /** Why the item {@code get} carries cannot be a BEP 44 item, or null when it may be one. */
    static String malformed(GetResponse get) {
        int value = get.getRawValue().remaining();
        if (value > MAX_VALUE) {
            return "a value of " + value + " bytes (expected: at most " + MAX_VALUE + ")";
        }
        byte[] key = get.getPubkey();
        if (key == null) {
            return null;
        }
        byte[] sig = get.getSignature();
        if (key.length != KEY_BYTES || sig == null || sig.length != SIGNATURE_BYTES) {
            return "a mutable item with a key of " + key.length + " bytes and " + (sig == null ? "no signature"
                    : "a signature of " + sig.length + " bytes") + " (expected: " + KEY_BYTES + " and " + SIGNATURE_BYTES + ")";
        }
        return null;
    }

    /**
     * Says that an answer from {@code from} to a lookup of {@code target} could not be read
     * ({@code e}), which the lookup takes for a refusal: at WARN (it is no rule of ours that
     * refused it, so it may be a fault of this node's), at most one a minute.
     */
    static void unreadable(Key target, Object from, RuntimeException e) {
        UNREADABLE.warn(log, "DHT lookup of {}: the answer from {} could not be read, taken for a refusal: {}",
                target, from, e.toString());
    }

    /** Whether {@code item} is a copy of {@code taken} (same key by the target check, same seq, value and signature). */
    static boolean sameAs(StorageItem item, StorageItem taken) {
        return taken != null && item.seq() == taken.seq() && item.getRawValue().equals(taken.getRawValue())
                && item.sig().equals(taken.sig());
    }
}
