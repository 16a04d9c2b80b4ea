package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher taking a document's representation into its {@link Track}: a new version or
 * signature makes the track's followers due, a document new to the publisher is announced to
 * every started stream (so that proxies follow it too), and new versions and the versions
 * substreams skip are counted. A version that cannot travel as event data stops the substreams
 * due it ({@link #untravelled}), said once in the log; the next that can is announced again. A
 * version whose signed fields cannot be read is not taken, the one held staying. Both are counted
 * by target and reason ({@link NotStreamed}). Confined to the publisher's thread, as the state it
 * is handed.
 */
final class DocumentIntake {

    private static final Logger LOG = LoggerFactory.getLogger(UpdatePublisher.class);

    private final Map<String, Track> tracks;
    private final Map<String, Subscription> subscriptions;
    private final Followers followers;
    final AtomicLong updates = new AtomicLong();
    final AtomicLong coalesced = new AtomicLong();
    /** The versions not streamed: refused ({@link Track#update} threw) or not able to travel. */
    final NotStreamed notStreamed = new NotStreamed();

    /** The publisher's documents, streams and followers (changed only on its thread). */
    DocumentIntake(Map<String, Track> tracks, Map<String, Subscription> subscriptions, Followers followers) {
        this.tracks = requireNonNull(tracks, "tracks");
        this.subscriptions = requireNonNull(subscriptions, "subscriptions");
        this.followers = requireNonNull(followers, "followers");
    }

    /** Takes {@code r} for {@code target}; true when it is a new document or a new version (answers may change). */
    boolean update(String target, Representation r) {
        Track t = tracks.computeIfAbsent(target, Track::document);
        String before = t.current() == null ? null : t.versionId();
        boolean travelled = before == null || t.travels();
        Track.Change change;
        try {
            change = t.update(r);
        } catch (RuntimeException e) {
            notStreamed.add(target, NotStreamed.Reason.UNREADABLE);
            LOG.warn("not streaming a version of {}: {}; {}", target, e.toString(), t.current() == null
                    ? "nothing of it is streamed" : "the version held before stays the one streamed");
            if (t.current() == null) {
                tracks.remove(target);
            }
            return false;
        }
        if (change != Track.Change.SAME) {
            followers.changed(target);
        }
        if (change == Track.Change.NEW_VERSION && !t.travels()) {
            notStreamed.add(target, NotStreamed.Reason.RAW_CR);
            LOG.warn("not streaming the new version of {}: its bytes hold a raw CR, which an event stream cannot carry;"
                    + " the substreams due it are stopped, and it is served by GET alone", target);
        }
        if (before == null || !travelled && t.travels()) {
            // A document that appeared after streams opened, or that travels again after substreams
            // were stopped for a version that did not: tell them, so that proxies follow it (again).
            for (Subscription s : subscriptions.values()) {
                if (s.attached()) {
                    s.control(ControlEvents.documents(Map.of(target, t.resourceId())));
                }
            }
        }
        if (before == null) {
            return true;
        }
        if (change != Track.Change.NEW_VERSION) {
            return false;
        }
        updates.incrementAndGet();
        coalesced.addAndGet(followers.skipping(target, before));
        return true;
    }

    /**
     * {@code sub} of {@code s} is due a version that cannot travel as event data (its bytes hold a
     * CR, {@link Track#travels}): stopped, saying why, rather than sent bytes that would arrive
     * changed or a signature event over bytes it lacks. The document is offered again to every
     * stream once a version that travels comes ({@link #update}).
     */
    void untravelled(Subscription s, Substream sub) {
        followers.unfollow(s, sub.id);
        s.control(ControlEvents.stopped(List.of(sub.id), "the version of " + sub.target
                + " held now has a raw CR in its bytes, which an event stream cannot carry (a data line ends at CR);"
                + " GET it, and add the substream again to follow later versions"));
    }
}
