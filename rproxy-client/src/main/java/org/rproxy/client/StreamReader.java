package org.rproxy.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.MalformedStreamException;
import org.rproxy.core.stream.StreamFollower;

/**
 * Reads one update stream for an {@link UpdateFollower}: feeds its events to a
 * {@link StreamFollower} seeded with the versions named when subscribing (one look at what was
 * held then: the stream's first patches are made from those, even when another thread has taken a
 * newer version since), checks each update as a fetched document, with the rollback floor a
 * request has (the newest version the client had verified when subscribing, whether held or only
 * fetched or recorded in its state file, so a stream can no more hand a restarted client an older
 * version than a fetch can; then the last one the stream sent: a version current when it was sent
 * is no rollback, though the client took a newer one meanwhile; it is not taken then, but kept as
 * the base of the next patch), takes it into the held state and tells the listener of new
 * answers. A source that sends what does not verify is left (and cools down): reading stops. So
 * is one that sends what cannot be read as an update at all, as a {@link ClientException.InvalidResponse}:
 * an over-long line or event, an event with no type or one no update stream sends, a data event of
 * another media type than its document's, a merge patch or signature event that is not JSON, a
 * patch or renewal of a document the client does not hold (it named the versions it holds when it
 * subscribed). That is the source's doing alone; the next source's stream starts afresh.
 *
 * <p>Any other update not taken ends the read too. The upstream sends each next change as a merge
 * patch from the version it last sent, taken or not, while the {@link StreamFollower} patches the
 * version held: one update refused for any reason puts the two out of step, and every later patch
 * would then rebuild bytes that no signature covers and blame an honest source for tampering. So
 * a version older than that floor ({@link ClientException.Rollback}) leaves that source as a
 * fetch's rollback does (it cools down for the rollback's shorter time); a version that could
 * not be recorded ({@link ClientException.StateFailure}, this client's own disk) leaves the stream
 * without blaming the source: the follower subscribes again, paced, naming the versions held, and
 * is sent what it lacks from there; and a version that verifies but is not valid at this client's
 * clock ({@link ClientException.OutsideValidity}: this client's clock, or a stale source) leaves it
 * without blaming the source either, and the follower tries the next source
 * ({@link #leftForTime()}). Nothing is read or checked after the update that ended it.
 *
 * <p>An update is refused on its signed fields before its body is rebuilt ({@link #admits}), and
 * one that repeats the signing of the version held (a replaying source) is dropped unchecked and
 * counted ({@link #onRepeated}), so that a source sending a kilobyte again and again costs no
 * rebuild of a large map each time. The body rebuilt after fields that passed is checked against
 * their digest, not their signature again ({@link Checker#check(Checker.Admitted, Bytes, long)},
 * with the refusals and words of a check of the whole): one signature check per update, as the
 * client takes the uncompressed variant alone. Used on the follower's thread only.
 */
final class StreamReader implements StreamFollower.Listener {
    private final HeldState state;
    private final Checker checker;
    private final SourceHealth health;
    private final UpdateFollower.Listener listener;
    private final ToldAnswers told;
    private final URI source;
    private final URI uri;
    private final Map<String, String> targets;
    /** Per target, the {@code created} no update may be older than: the newest verified when subscribing, then the last sent. */
    private final Map<String, Instant> floors = new HashMap<>();
    private final BooleanSupplier closed;
    private final Runnable progressed;
    private final StreamFollower follower;
    private final UpdateCounts counts;
    private boolean abandoned;
    private boolean leftForTime;
    /** Why the read ended on a substream the source stopped, or null. */
    private ClientException stopped;
    /** The update {@link #admits} passed last, until {@link #onUpdate} takes its body, or null. */
    private Admission admitted;

    /** Fields {@link #admits} passed, with the follower's lookup they were read through. */
    private record Admission(StreamFollower.FieldLookup fields, Checker.Admitted checked) {
    }

    /**
     * @param targets    substream id to target, as subscribed
     * @param named      target to the version named when subscribing (absent: none held), read
     *                   once, before: the stream's first patches are made from those, whatever the
     *                   client took since
     * @param verified   target to the newest {@code created} the client had verified (its rollback
     *                   guard, state file included) when subscribing, read before as {@code named}:
     *                   the floor, with the version named when that is later
     * @param closed     true once the follower is closing: reading stops
     * @param progressed told of every read, for the follower's silence watchdog
     * @param counts     the follower's counts of updates checked and repeated
     * @param told       what the follower told its listener last: new answers are told through it
     */
    StreamReader(HeldState state, Checker checker, SourceHealth health, UpdateFollower.Listener listener,
                 ToldAnswers told, int maxEventBytes, URI source, URI uri, Map<String, String> targets,
                 Map<String, Representation> named, Map<String, Instant> verified, BooleanSupplier closed,
                 Runnable progressed, UpdateCounts counts) {
        this.counts = counts;
        this.state = state;
        this.checker = checker;
        this.health = health;
        this.listener = listener;
        this.told = told;
        this.source = source;
        this.uri = uri;
        this.targets = targets;
        this.closed = closed;
        this.progressed = progressed;
        Map<String, String> types = new LinkedHashMap<>();
        targets.forEach((id, target) -> {
            String type = state.mediaType(target);
            types.put(id, type == null ? "" : type); // none (never, for a stream target): patches only
        });
        this.follower = new StreamFollower(maxEventBytes, types, this);
        targets.forEach((id, target) -> {
            Representation r = named.get(target);
            if (r != null) {
                follower.hold(id, r.identity().body(), r.identity().headers());
            }
            Instant floor = later(r == null ? null : r.created(), verified.get(target));
            if (floor != null) {
                floors.put(target, floor);
            }
        });
    }

    /** The later of two instants, either of which may be null (none). */
    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    void read(InputStream in) throws IOException {
        byte[] buf = new byte[16 * 1024];
        for (int n; !abandoned && !closed.getAsBoolean() && (n = in.read(buf)) >= 0; ) {
            progressed.run();
            try {
                follower.feed(buf, 0, n);
            } catch (MalformedStreamException e) {
                if (abandoned) {
                    return; // left already, for an update before it in these bytes
                }
                leave(new ClientException.InvalidResponse(uri, "update stream: " + e.getMessage()));
            }
        }
    }

    /** True when the read ended on an update that was valid only at another time than this client's clock. */
    boolean leftForTime() {
        return leftForTime;
    }

    @Override
    public boolean onUpdate(String substream, Bytes body, StreamFollower.FieldLookup fields, boolean patched) {
        // the fields admits passed for this very update (the follower's lookup of its signature event)
        Admission passed = admitted;
        admitted = null;
        String target = targets.get(substream);
        if (target == null || abandoned) {
            return false;
        }
        Representation held = state.get(target);
        long maxAge = held == null ? 0 : held.maxAgeSeconds();
        try {
            // Not older than what the client had verified when subscribing, or the stream sent it
            // since: a version current when it was sent is no rollback, though the client took a
            // newer one meanwhile (then it is not taken, but held as the base of the stream's next patch).
            counts.checkedOne();
            Representation r = passed != null && passed.fields() == fields && passed.checked().target().equals(target)
                    ? checker.check(passed.checked(), body, maxAge)
                    : checker.check(uri, target, fields::get, body, maxAge, floors.get(target));
            floors.put(target, r.created());
            if (state.put(target, r) && !target.equals(AnswerEngine.DIRECTORY)) {
                state.rebuild();
            }
            if (!target.equals(AnswerEngine.DIRECTORY)) {
                told.tellNew(); // also a version held already: the application's refreshMaps may have taken it first
            }
            return true;
        } catch (ClientException e) {
            refusedUpdate(e);
            return false;
        }
    }

    /**
     * The signed fields of an update, checked before its body is rebuilt: one refused there is
     * refused as a check of the whole would have refused it, unrebuilt; one that passes is kept for
     * {@link #onUpdate}, which checks the body rebuilt against them, not their signature again.
     */
    @Override
    public boolean admits(String substream, StreamFollower.FieldLookup fields) {
        Checker.Admitted checked = checkFields(substream, fields);
        admitted = checked == null ? null : new Admission(fields, checked);
        return checked != null;
    }

    /** The fields checked for {@code substream}'s target, or null when refused (handled) or not to be read. */
    private Checker.Admitted checkFields(String substream, StreamFollower.FieldLookup fields) {
        String target = targets.get(substream);
        if (target == null || abandoned) {
            return null;
        }
        try {
            return checker.checkFields(uri, target, fields::get, floors.get(target));
        } catch (ClientException e) {
            refusedUpdate(e);
            return null;
        }
    }

    /**
     * The signing of the version the follower holds, sent again: dropped unchecked, and counted.
     * Unless that version has expired at this client's clock: then it is refused as it was
     * before, for its time, so that a source repeating a stale version is left all the same.
     */
    @Override
    public void onRepeated(String substream) {
        counts.repeatedOne();
        String target = targets.get(substream);
        Representation held = target == null ? null : state.get(target);
        if (held != null && !abandoned && !held.expires().isAfter(checker.now())) {
            checkFields(substream, name -> held.identity().header(name).orElse(null));
        }
    }

    /** Handles an update refused, as {@link #onUpdate} and {@link #admits} do. */
    private void refusedUpdate(ClientException e) {
        if (e instanceof ClientException.InvalidResponse || e instanceof ClientException.Rollback) {
            // A source that sends what does not verify, or an older version, is left for another.
            leave(e);
        } else if (e instanceof ClientException.OutsideValidity) {
            // This client's clock, or a stale source: no tampering, and not held against it here
            // (fetches tell the two apart), but the stream is out of step from here.
            abandoned = true;
            leftForTime = true;
            listener.refused(e);
        } else {
            // Not the source's doing (the state file), but the stream is out of step from here:
            // subscribe again from the versions held.
            abandoned = true;
            listener.refused(e);
        }
    }

    /**
     * Why the read ended on a substream the source stopped, or null: the stream no longer carries
     * a map the client follows, which a fetch or another source's stream must bring. No tampering.
     */
    ClientException stopped() {
        return stopped;
    }

    @Override
    public void onStopped(String substream, String description) {
        if (!abandoned) {
            abandoned = true;
            stopped = ClientException.Unreachable.lost(uri, "the update stream stopped the substream of "
                    + targets.get(substream) + (description.isEmpty() ? "" : " (" + description + ")")
                    + ", so it no longer carries that map; left for the next source", null);
            listener.refused(stopped);
        }
    }

    @Override
    public void onRejected(String substream, String reason) {
        admitted = null;
        if (!abandoned) {
            leave(new ClientException.InvalidResponse(uri, "update " + substream + ": " + reason));
        }
    }

    /** Leaves the source for what it sent: it cools down, and the listener is told why. */
    private void leave(ClientException why) {
        health.failed(source, why);
        abandoned = true;
        listener.refused(why);
    }
}
