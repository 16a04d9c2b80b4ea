package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.upstream.LimitedBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push feed's control requests on its stream (RFC 8895 §7), at most one in flight: what is
 * asked while one is unanswered (documents to add, substreams to put back on the version held, or
 * to remove) waits for its answer and goes in the next request, merged, as it stands then. So a
 * hop that injects announces cannot make the feed send a request per word (it sent one each, a
 * burst of them within milliseconds), and a word undone meanwhile (a document added and stopped
 * again) or said twice costs nothing. A request the upstream does not take loses the stream
 * ({@code resubscribe}); nothing more is sent on it.
 *
 * <p>Not thread-safe: the feed's own thread owns it; the HTTP client's answers come back to it
 * through that thread.
 */
final class ControlRequests {

    private static final Logger LOG = LoggerFactory.getLogger(ControlRequests.class);

    /** The most a control request may take, its answer read whole. */
    static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);
    /** The largest answer to a control request read (its body is only logged: an error object at most). */
    static final int CONTROL_ANSWER_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Executor feedThread;
    private final Substreams substreams;
    private final Function<String, String> heldTag;
    /** Targets whose substream the next request removes first (to add it again when followed). */
    private final Set<String> removals = new LinkedHashSet<>();
    /** Targets the next request adds when they are followed then. */
    private final Set<String> additions = new LinkedHashSet<>();
    /**
     * Substream ids requests sent on this stream removed, each with how many of those removals the
     * upstream has not yet said it stopped. Counted, not a set: a removal's answer can come before
     * its {@code stopped} (they come on different connections), and the next request can remove
     * the same substream again; each {@code stopped} answers one removal.
     */
    private final Map<String, Integer> removed = new HashMap<>();
    private Consumer<String> resubscribe = why -> { };
    private URI uri;
    private int stream;
    /** A request of this stream is unanswered, or one was not taken: nothing is sent until the next stream. */
    private boolean busy;

    ControlRequests(HttpClient http, Executor feedThread, Substreams substreams, Function<String, String> heldTag) {
        this.http = requireNonNull(http, "http");
        this.feedThread = requireNonNull(feedThread, "feedThread");
        this.substreams = requireNonNull(substreams, "substreams");
        this.heldTag = requireNonNull(heldTag, "heldTag");
    }

    /** The stream's control URI (checked by the caller), or null while it has none. */
    void uri(URI controlUri) {
        this.uri = controlUri;
    }

    /** Whether the stream has a control URI to send requests to. */
    boolean hasUri() {
        return uri != null;
    }

    /** Adds the substreams of {@code targets} (followed now), from the versions held. */
    void add(Iterable<String> targets, Consumer<String> resubscribe) {
        targets.forEach(additions::add);
        flush(resubscribe);
    }

    /**
     * Puts the substreams of {@code targets} back on the versions held: each is removed and added
     * again under its id; one whose addition has not been sent yet is only added.
     */
    void readd(Iterable<String> targets, Consumer<String> resubscribe) {
        for (String target : targets) {
            if (additions.add(target) || removals.contains(target)) {
                removals.add(target);
            }
        }
        flush(resubscribe);
    }

    /** Removes the substreams of {@code targets}, which the stream carries and the feed follows no more. */
    void remove(Iterable<String> targets, Consumer<String> resubscribe) {
        for (String target : targets) {
            if (!additions.remove(target) || removals.contains(target)) {
                removals.add(target); // a target whose addition was not sent yet is not carried: nothing to remove
            }
        }
        flush(resubscribe);
    }

    /**
     * Whether the upstream's {@code stopped} for substream {@code id} answers a removal this feed
     * sent on this stream (it stops nothing then); once.
     */
    boolean ownStop(String id) {
        Integer owed = removed.get(id);
        if (owed == null) {
            return false;
        }
        if (owed == 1) {
            removed.remove(id);
        } else {
            removed.put(id, owed - 1);
        }
        return true;
    }

    /** The upstream stopped {@code target}'s substream: it carries it no more, so the next request does not remove it. */
    void stoppedUpstream(String target) {
        removals.remove(target);
    }

    /** A new stream starts: nothing asked on the one before is sent on it, and nothing is in flight there. */
    void streamStarted() {
        stream++;
        uri = null;
        busy = false;
        removals.clear();
        additions.clear();
        removed.clear();
    }

    /** Sends what is asked, unless a request is unanswered: its answer sends it then. */
    private void flush(Consumer<String> resubscribe) {
        this.resubscribe = resubscribe;
        if (busy || uri == null) {
            return;
        }
        Set<String> adds = new LinkedHashSet<>(additions);
        for (String target : removals) {
            if (substreams.follows(target)) {
                adds.add(target); // removed and added again: put back on the version held
            }
        }
        Substreams.Change c = substreams.change(removals, adds, heldTag);
        removals.clear();
        additions.clear();
        if (c != null) {
            post(c);
        }
    }

    private void post(Substreams.Change c) {
        busy = true;
        c.removed().forEach(id -> removed.merge(id, 1, Integer::sum));
        String what = describe(c);
        Consumer<String> lose = resubscribe;
        int of = stream;
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(CONTROL_TIMEOUT)
                .header("Content-Type", MediaTypes.UPDATE_STREAM_PARAMS)
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body().unsafeArray()))
                .build();
        LimitedBody.sendAsync(http, req, CONTROL_TIMEOUT, CONTROL_ANSWER_BYTES).whenComplete((resp, failure) -> {
            String why = failure != null ? Completions.cause(failure).toString()
                    : resp.statusCode() == 204 ? null : resp.statusCode() + " " + new String(resp.body(), StandardCharsets.UTF_8);
            OwnThread.run(feedThread, () -> answered(of, what, why, lose), LOG, "push feed");
        });
    }

    /**
     * The request {@code what} of stream {@code of} was answered: taken ({@code why} null), the
     * next goes; else the stream is lost, told to {@code lose} (not logged here: the feed logs it).
     */
    private void answered(int of, String what, String why, Consumer<String> lose) {
        if (of != stream) {
            return; // a stream since: what was asked on that one is moot
        }
        if (why != null) {
            lose.accept(what + " through the control URI failed: " + why);
            return; // busy for good: the stream is lost
        }
        busy = false;
        flush(resubscribe);
    }

    /** What {@code c} does, for the reason a stream is lost: "removing substreams [d3] and adding substreams [/costmap/c]". */
    private static String describe(Substreams.Change c) {
        String removing = c.removed().isEmpty() ? "" : "removing substreams " + c.removed();
        String adding = c.added().isEmpty() ? "" : "adding substreams " + c.added();
        return removing.isEmpty() || adding.isEmpty() ? removing + adding : removing + " and " + adding;
    }
}
