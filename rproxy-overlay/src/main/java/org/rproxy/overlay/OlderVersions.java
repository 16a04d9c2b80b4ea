package org.rproxy.overlay;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an {@link OverlayPublisher} says when a version of a resource cannot replace one signed
 * at a later {@code created}: once per resource and version, since it lasts (a line per offer
 * or per store would fill the log). A pointer's seq is its bundle's {@code created} in seconds
 * (clients refuse any other, which closes a rollback), so after the origin's clock stepped back
 * (an NTP correction, a restored VM) every new version carries a lower seq than one published
 * before. Two cases:
 * <ul>
 * <li>the publisher still holds the later one, valid: it keeps it, as a proxy keeps the newer
 * signing it holds while valid ({@code RollbackRule}), and publishes the new one once the later
 * one has expired and the new one is offered again ({@link #keptNewer});</li>
 * <li>the DHT's nodes hold this publisher's pointer at a higher seq (of a version since expired,
 * or published before a restart): they refuse a lower one (BEP 44, error 302) until they
 * forget theirs, about two hours after its last store, and readers take the highest they find;
 * the put is made again at the backoff of a store no node took until they do
 * ({@link #putOutcome}). Meanwhile clients are pointed at that version: they take it while its
 * signature is valid, and refuse it and pull once it is not.</li>
 * </ul>
 * Thread-safe.
 */
final class OlderVersions {
    private static final Logger log = LoggerFactory.getLogger(OverlayPublisher.class);

    /** Per resource id: the seq of the later version an offer was held back for (said once per such version). */
    private final Map<String, Long> kept = new ConcurrentHashMap<>();
    /** Per resource id: the seq of the version whose put the nodes refused (said once per version), and theirs. */
    private final Map<String, long[]> refused = new ConcurrentHashMap<>();

    /**
     * A version signed at {@code offered} (seconds) was offered while {@code current}, signed
     * later, is published and valid until {@code expires}: says so unless said for {@code current}.
     */
    void keptNewer(Pointer current, long offered, Instant expires) {
        Long before = kept.put(current.resourceId(), current.seq());
        if (before == null || before != current.seq()) {
            log.warn("overlay: {}: a version signed at created {} ({}) was offered, older than version {} ({})"
                            + " published: the origin's clock stepped back? Version {} stays published until its"
                            + " signature expires at {}, as a proxy keeps the newer signing it holds while valid;"
                            + " then a version offered is published",
                    current.resourceId(), offered, Instant.ofEpochSecond(offered), current.seq(),
                    Instant.ofEpochSecond(current.seq()), current.seq(), expires);
        }
    }

    /**
     * How a store of {@code p} went: says when the DHT's nodes refused it for a newer version of
     * this publisher's pointer (once per version), and when they took it after all.
     */
    void putOutcome(Pointer p, Stored s) {
        String id = p.resourceId();
        if (s.superseded()) {
            long[] before = refused.put(id, new long[] {p.seq(), s.newerSeq()});
            if (before == null || before[0] != p.seq()) {
                log.warn("overlay: {}: the DHT nodes hold this publisher's pointer at version {} ({}), later than"
                                + " version {} ({}) put now, and refuse a lower seq (BEP 44): the origin's clock"
                                + " stepped back? Clients are pointed at version {} (and pull once its signature is"
                                + " no longer valid) until the nodes forget it, about two hours after its last store;"
                                + " version {} is put again until they take it",
                        id, s.newerSeq(), Instant.ofEpochSecond(s.newerSeq()), p.seq(), Instant.ofEpochSecond(p.seq()),
                        s.newerSeq(), p.seq());
            }
        } else if (s.nodes() > 0) {
            long[] before = refused.get(id);
            if (before != null && before[0] == p.seq() && refused.remove(id, before)) {
                log.info("overlay: {}: version {} stored on {} DHT nodes: they no longer hold version {}", id, p.seq(),
                        s.nodes(), before[1]);
            }
        }
    }

    /** Forgets what was said of {@code resourceId} (retired). */
    void forget(String resourceId) {
        kept.remove(resourceId);
        refused.remove(resourceId);
    }
}
