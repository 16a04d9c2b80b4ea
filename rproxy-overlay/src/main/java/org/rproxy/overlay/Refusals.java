package org.rproxy.overlay;

import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.rproxy.client.ClientException;

/**
 * The bundles a client refused for what their bytes are, so that a pointer naming one again is
 * not fetched again: an infohash names exact bytes, and a bundle that is malformed, unsigned, or
 * whose signature or digest does not verify stays so. A refusal that depends on anything else is
 * not remembered: the resource asked for (a pointer for one resource naming another's genuine
 * bundle), the version held (rollback), the time (expiry), or the keys trusted (a key not yet
 * learnt from the origin's directory). Kept by resource id and infohash, the most recent
 * {@value #KEPT}. Thread-safe.
 */
final class Refusals {
    static final int KEPT = 1024;

    private final Map<String, String> refused = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > KEPT;
        }
    });

    /** Whether {@code why} holds for the bundle's bytes whatever was asked, held, trusted, or when. */
    static boolean forBytesAlone(ClientException why) {
        if (!(why instanceof ClientException.InvalidResponse invalid) || invalid.failure() == null) {
            return false;
        }
        return switch (invalid.failure()) {
            case NO_SIGNATURE, MALFORMED, BAD_SIGNATURE, DIGEST_MISMATCH, CODING_MISMATCH -> true;
            default -> false;
        };
    }

    /** Remembers that the bundle {@code infoHash} (hex), offered for {@code resourceId}, was refused for {@code why}. */
    void remember(String resourceId, String infoHash, String why) {
        refused.put(key(resourceId, infoHash), why);
    }

    /** Why the bundle {@code infoHash} (hex) was refused for {@code resourceId}, or null. */
    String why(String resourceId, String infoHash) {
        return refused.get(key(resourceId, infoHash));
    }

    /**
     * Remembers that {@code pointer} was refused for {@code why}: for a refusal that holds for the
     * bytes together with what the pointer says of them (a version other than the bundle's).
     */
    void remember(Pointer pointer, String why) {
        refused.put(key(pointer), why);
    }

    /** Why {@code pointer} was refused, or null. */
    String why(Pointer pointer) {
        return refused.get(key(pointer));
    }

    private static String key(Pointer p) {
        return HexFormat.of().formatHex(p.infoHash()) + " " + p.resourceId() + " seq " + p.seq() + " by "
                + HexFormat.of().formatHex(p.publisher());
    }

    private static String key(String resourceId, String infoHash) {
        return infoHash + " " + resourceId;
    }
}
