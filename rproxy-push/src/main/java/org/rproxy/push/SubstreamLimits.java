package org.rproxy.push;

import java.util.HashSet;
import java.util.Map;

import org.rproxy.core.model.AltoError;

/**
 * How many substreams one update stream may have: one per document the node offers (those it
 * holds, plus those its directory lists) and {@link StreamService#SUBSTREAMS_BEYOND_DOCUMENTS}
 * more; and whether a request adding and removing substreams can apply to a stream now (no id
 * added that is in use and not removed, not too many after it). A refusal names the field at
 * fault. Confined to the publisher's thread, as the tracks it counts.
 */
final class SubstreamLimits {
    private final Map<String, Track> tracks;
    private final SubstreamResolver resolver;

    /** @param tracks the publisher's documents (read, never changed); {@code resolver} tells those listed */
    SubstreamLimits(Map<String, Track> tracks, SubstreamResolver resolver) {
        this.tracks = tracks;
        this.resolver = resolver;
    }

    /** The most substreams one stream may have now. */
    int max() {
        return tracks.size() + resolver.listed() + StreamService.SUBSTREAMS_BEYOND_DOCUMENTS;
    }

    /** The refusal of a request that would leave a stream with {@code n} substreams, or null when they are allowed. */
    AltoError tooMany(int n) {
        int max = max();
        return n <= max ? null : AltoError.invalidValue("add", n + " substreams", n + " substreams (expected: at most "
                + max + " per update stream: one per document this node offers and "
                + StreamService.SUBSTREAMS_BEYOND_DOCUMENTS + " more)");
    }

    /**
     * Why {@code req} cannot apply to {@code s} now: an id it adds is in use and not removed, or
     * it would leave too many substreams; null when it can.
     */
    AltoError conflict(Subscription s, StreamRequest req) {
        for (String id : req.add().keySet()) {
            if (s.substreams().containsKey(id) && !req.remove().contains(id)) {
                return AltoError.invalidValue("add/" + id, id, "substream id already in use");
            }
        }
        return tooMany(after(s, req));
    }

    /** The substreams {@code s} would have with {@code req} applied. */
    private static int after(Subscription s, StreamRequest req) {
        int n = s.substreams().size() + req.add().size();
        for (String id : new HashSet<>(req.remove())) {
            if (s.substreams().containsKey(id)) {
                n--;
            }
        }
        return n;
    }
}
