package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers POST-mode substreams follow, one {@link Track} per {@link QueryKey}, computed by
 * the node's own document service (the service the publisher wraps) exactly as a client's POST
 * would be: no second query engine, and the same RFC 7285 error for a bad input. An answer is
 * computed when first asked for, and again after every change of the documents (at most one
 * computation per key at a time; changes meanwhile cost one more); a new answer whose bytes
 * differ is a new version, sent like a document's, without a signature event (answers are not
 * signed). A computation that fails keeps the last answer until the next change, unless the
 * input itself is refused now (a PID that is gone, say): its substreams are then stopped. An
 * answer nobody follows any more is dropped.
 *
 * <p>Bounded node-wide, since each answer is held (with the versions kept to patch from) and
 * computed again at every change: a new input is refused while {@link #MAX_ANSWERS} answers are
 * followed or being computed, or while those held come to {@link #MAX_ANSWER_BYTES} or more. The
 * refusal is {@code 503}: the limit is the node's, reached by every stream together, so the same
 * request may be answered later or elsewhere (it is no mistake of the client's); following an
 * answer already followed is never refused.
 *
 * <p>Confined to the publisher's thread: the service is called from it and its completions are
 * handed back to it through {@code onThread}; the service computes on its own threads.
 */
final class QueryAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(QueryAnswers.class);

    /**
     * Distinct query answers (inputs in normal form, {@link QueryInputs}) followed at once, all
     * streams together: each costs a computation per change on the node's query pool, so a change
     * costs up to this many; far above the distinct questions an ALTO deployment streams (one per
     * PID or group of viewers, not one per viewer).
     */
    static final int MAX_ANSWERS = 1024;
    /** Bytes of answers held (bodies, kept versions, encoded events) past which no new input is taken. */
    static final long MAX_ANSWER_BYTES = 64L << 20;

    private static final class Entry {
        final QueryKey query;
        Track track;
        int followers;
        boolean computing;
        boolean again;
        final List<CompletableFuture<AltoError>> waiting = new ArrayList<>();

        Entry(QueryKey query) {
            this.query = query;
        }
    }

    private final Consumer<Runnable> onThread;
    private final Consumer<String> changed;
    private final BiConsumer<String, AltoError> refused;
    private final Map<String, Entry> entries = new HashMap<>();
    private final int maxAnswers;
    private final long maxBytes;
    private volatile AltoService service;
    private long computations;

    /**
     * @param onThread runs a task on the publisher's thread
     * @param changed  called on the publisher's thread with an answer's key when it has a new version
     * @param refused  called on the publisher's thread with a followed answer's key when its input
     *                 is refused after a change; its followers must be stopped
     */
    QueryAnswers(Consumer<Runnable> onThread, Consumer<String> changed, BiConsumer<String, AltoError> refused) {
        this(onThread, changed, refused, MAX_ANSWERS, MAX_ANSWER_BYTES);
    }

    /** With other bounds than {@link #MAX_ANSWERS} and {@link #MAX_ANSWER_BYTES} (tests). */
    QueryAnswers(Consumer<Runnable> onThread, Consumer<String> changed, BiConsumer<String, AltoError> refused,
                 int maxAnswers, long maxBytes) {
        this.onThread = requireNonNull(onThread, "onThread");
        this.changed = requireNonNull(changed, "changed");
        this.refused = requireNonNull(refused, "refused");
        this.maxAnswers = maxAnswers;
        this.maxBytes = maxBytes;
    }

    /** The service answers are computed by: the node's document service. */
    void computeWith(AltoService documents) {
        this.service = requireNonNull(documents, "documents");
    }

    /**
     * Completes, on the publisher's thread, with null once {@code q} has an answer, or with the
     * error its computation gave (the query resource's own, for a bad input), or at once with a
     * {@code 503} when {@code q} is a new input and the node follows as many answers as it takes.
     */
    CompletableFuture<AltoError> first(QueryKey q) {
        Entry e = entries.get(q.key());
        if (e == null) {
            AltoError full = full();
            if (full != null) {
                return CompletableFuture.completedFuture(full);
            }
            e = new Entry(q);
            entries.put(q.key(), e);
        }
        if (e.track != null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<AltoError> f = new CompletableFuture<>();
        e.waiting.add(f);
        if (!e.computing) {
            compute(e);
        }
        return f;
    }

    void follow(String key) {
        Entry e = entries.get(key);
        if (e != null) {
            e.followers++;
        }
    }

    void unfollow(String key) {
        Entry e = entries.get(key);
        if (e != null && --e.followers <= 0) {
            sweep();
        }
    }

    /** Drops the answers no substream follows and nobody waits for. */
    void sweep() {
        entries.values().removeIf(e -> e.followers <= 0 && e.waiting.isEmpty());
    }

    /** The refusal of a new input when the answers followed are at a bound; null while they are not. */
    private AltoError full() {
        if (entries.size() >= maxAnswers) {
            return AltoError.serverCondition("this node follows at most " + maxAnswers + " query answers at once "
                    + "(distinct inputs, all update streams together); try again later, or follow the maps", 503);
        }
        long held = 0;
        for (Entry e : entries.values()) {
            held += e.track == null ? 0 : e.track.heldBytes();
        }
        if (held >= maxBytes) {
            return AltoError.serverCondition("this node holds " + held + " bytes of query answers, its most ("
                    + maxBytes + "); try again later, or follow the maps", 503);
        }
        return null;
    }

    Track track(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.track;
    }

    /** The documents changed: every followed answer is computed again. */
    void recomputeAll() {
        for (Entry e : new ArrayList<>(entries.values())) {
            if (e.followers > 0) {
                compute(e);
            }
        }
    }

    /** Computations started so far (tests: one per key and change, however many follow it). */
    long computations() {
        return computations;
    }

    private void compute(Entry e) {
        if (e.computing) {
            e.again = true;
            return;
        }
        AltoService s = service;
        if (s == null) {
            finish(e, null, new IllegalStateException("no document service yet"));
            return;
        }
        e.computing = true;
        computations++;
        CompletionStage<Reply> answer;
        try {
            answer = s.handle(e.query.request());
        } catch (RuntimeException failure) {
            answer = CompletableFuture.failedFuture(failure);
        }
        answer.whenComplete((reply, failure) -> onThread.accept(() -> finish(e, reply, failure)));
    }

    /** Takes an answer as {@code e}'s current version; an error when it cannot be streamed. */
    private AltoError take(Entry e, Reply.Ok ok) {
        Track t = e.track != null ? e.track : Track.answer(e.query.key(), e.query.resourceId());
        Track.Change change;
        try {
            change = t.update(ok.representation());
        } catch (RuntimeException failure) {
            LOG.warn("{}: the answer cannot be streamed: {}", e.query.key(), failure.toString());
            return AltoError.serverCondition("the answer cannot be streamed (" + failure + ")", 503);
        }
        if (e.track == null) {
            e.track = t;
        } else if (change == Track.Change.NEW_VERSION) {
            changed.accept(e.query.key());
        }
        return null;
    }

    private void finish(Entry e, Reply reply, Throwable failure) {
        e.computing = false;
        AltoError error = null;
        if (reply instanceof Reply.Ok ok) {
            error = take(e, ok);
        } else if (reply instanceof Reply.Error r && r.error().httpStatus() < 500) {
            error = r.error();
        } else {
            String why = failure != null ? failure.toString() : reply instanceof Reply.Error r
                    ? r.error().message() : "unexpected answer " + reply;
            error = AltoError.serverCondition("the answer cannot be computed now (" + why + "); try again", 503);
        }
        boolean inputRefused = error != null && e.track != null && error.httpStatus() < 500;
        if (error != null && e.track != null && !inputRefused) {
            LOG.debug("{}: keeping the last answer: {}", e.query.key(), error.message());
        }
        for (CompletableFuture<AltoError> w : e.waiting) {
            w.complete(e.track != null ? null : error);
        }
        e.waiting.clear();
        if (inputRefused) {
            entries.remove(e.query.key(), e);
            refused.accept(e.query.key(), error);
        } else if (e.again && entries.get(e.query.key()) == e) {
            e.again = false;
            compute(e);
        } else if (e.track == null && e.followers <= 0) {
            entries.remove(e.query.key(), e);
        }
    }
}
