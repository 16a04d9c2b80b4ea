package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher taking a document's representation into its {@link Track}: a new version or
 * signature makes the track's followers due, a document new to the publisher is announced to
 * every started stream (so that proxies follow it too), and new versions and the versions
 * substreams skip are counted. Confined to the publisher's thread, as the state it is handed.
 */
final class DocumentIntake {

    private static final Logger LOG = LoggerFactory.getLogger(UpdatePublisher.class);

    private final Map<String, Track> tracks;
    private final Map<String, Subscription> subscriptions;
    private final Followers followers;
    final AtomicLong updates = new AtomicLong();
    final AtomicLong coalesced = new AtomicLong();

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
        Track.Change change;
        try {
            change = t.update(r);
        } catch (RuntimeException e) {
            LOG.warn("not streaming {}: {}", target, e.toString());
            if (t.current() == null) {
                tracks.remove(target);
            }
            return false;
        }
        if (change != Track.Change.SAME) {
            followers.changed(target);
        }
        if (before == null) {
            // A document that appeared after streams opened: tell them, so that proxies follow it too.
            for (Subscription s : subscriptions.values()) {
                if (s.attached()) {
                    s.control(ControlEvents.documents(Map.of(target, t.resourceId())));
                }
            }
            return true;
        }
        if (change != Track.Change.NEW_VERSION) {
            return false;
        }
        updates.incrementAndGet();
        coalesced.addAndGet(followers.skipping(target, before));
        return true;
    }
}
