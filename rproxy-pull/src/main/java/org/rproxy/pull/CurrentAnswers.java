package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's current set of query answers computed from held maps: one
 * {@link AnswerEngine}, read again whenever a held document it depends on changes.
 *
 * <p>Rebuilds run on the worker executor, one at a time: a change marks the set dirty and starts
 * a rebuild unless one is under way, and the rebuild repeats while changes arrived during it, so
 * a burst of changes costs one or two rebuilds, never one each. The new set is swapped in with
 * one write; requests already computing finish on the set they started with. Unchanged documents
 * are not parsed again (see {@link AnswerEngine#build}).
 */
final class CurrentAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(CurrentAnswers.class);

    private final PullFeed feed;
    private final Executor work;
    private final Clock clock;
    private final List<HeaderField> added;
    private final AtomicReference<AnswerEngine> current = new AtomicReference<>(AnswerEngine.none());
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger builds = new AtomicInteger();
    /** How long a map a query lacked is not asked for again. */
    static final Duration MISSING_RETRY = Duration.ofSeconds(5);

    private final QueryLimits limits;
    private final Map<String, Instant> missingAsked = new ConcurrentHashMap<>();
    private final List<Runnable> rebuiltListeners = new CopyOnWriteArrayList<>();
    /** Those waiting for the set to take in every change told so far ({@link #settled}). */
    private final Queue<Waiting> settling = new ConcurrentLinkedQueue<>();
    /** Changes told so far ({@link #rebuildSoon}), and how many of them the set in place has read. */
    private final AtomicLong told = new AtomicLong();
    private volatile long readUpTo;

    /** One waiting for a set that has read the first {@code upTo} changes told. */
    private record Waiting(long upTo, CompletableFuture<AnswerEngine> set) {
    }
    /** The first fetches of the directory and the maps it lists, until each is held or the answers are warm. */
    private final FirstFetches first;
    /** The directory the set in place was built from (null: none yet): the one held must have been read. */
    private volatile Representation readDirectory;
    private volatile boolean started;
    private volatile boolean warm;

    /**
     * @param via    this proxy's {@code Via} entry, added to every computed answer (it passed through here)
     * @param limits how much work one query may ask for
     * @param later  runs a task after a delay, on a thread that may start fetches (the proxy's
     *               refresher scheduler, which stops with it; tests: when they say); it may throw
     *               {@link RejectedExecutionException} once the proxy is stopping
     * @param jitter draws in {@code [0, 1)} for the backoff of those retries (see {@link FirstFetches})
     */
    CurrentAnswers(PullFeed feed, Executor work, Clock clock, String via, QueryLimits limits,
                   BiConsumer<Duration, Runnable> later, DoubleSupplier jitter) {
        this.feed = requireNonNull(feed, "feed");
        this.first = new FirstFetches(feed, later, jitter, () -> warm);
        this.limits = requireNonNull(limits, "limits");
        this.work = requireNonNull(work, "work");
        this.clock = requireNonNull(clock, "clock");
        this.added = List.of(new HeaderField("via", requireNonNull(via, "via")));
    }

    /**
     * The feed's change listener: a new signed copy of {@code target} is held. Does not block.
     * While a rebuild runs, every change marks it dirty: the set it is building may list the
     * target (a directory just read) although the set in place does not.
     */
    void changed(String target, Representation held) {
        if (running.get() || current.get().reads(target)) {
            rebuildSoon();
        }
    }

    /** Marks the set dirty and starts a rebuild unless one is under way. */
    void rebuildSoon() {
        told.incrementAndGet(); // before dirty: a build that clears dirty reads it (its copy is held already)
        dirty.set(true);
        if (running.compareAndSet(false, true)) {
            try {
                work.execute(this::rebuild);
            } catch (RejectedExecutionException e) {
                running.set(false); // stopping
                release(Long.MAX_VALUE);
            }
        }
    }

    /**
     * Fetches the directory, and from then on every full map it lists, so that queries are
     * answered here from the first ones on rather than forwarded while a crowd's first requests
     * happen to fetch the maps (a cost map of the same metric in the other mode, say, which no
     * client reads but the origin consults). Does not block.
     */
    void start() {
        started = true;
        first.track(AnswerEngine.DIRECTORY);
    }

    private void rebuild() {
        try {
            while (dirty.getAndSet(false)) {
                long upTo = told.get();
                // Read before the build: a newer directory held meanwhile marks the set dirty again.
                Representation directory = feed.heldSigned(AnswerEngine.DIRECTORY);
                AnswerEngine built = AnswerEngine.build(feed::heldSigned, feed::validated, current.get(), clock, added,
                        limits);
                current.set(built);
                readDirectory = directory;
                readUpTo = upTo;
                release(upTo);
                builds.incrementAndGet();
                rebuiltListeners.forEach(Runnable::run);
                built.listedMaps().forEach(first::track);
            }
            if (started && firstFetches() == null && !dirty.get()) {
                warm = true; // later rebuilds (new versions) must not make the proxy look unready
            }
        } catch (RuntimeException e) {
            LOG.warn("reading the held maps failed; queries are forwarded until the next change", e);
        } finally {
            running.set(false);
        }
        if (dirty.get()) {
            rebuildSoon(); // a change arrived between the last check and the end
        } else {
            release(Long.MAX_VALUE); // a build that failed too: those waiting get the set in place
        }
    }

    /**
     * The set in place once every change told so far ({@link #changed}) has been read: at once
     * when no rebuild is due or under way, else as soon as a set built after reading them is
     * swapped in, or the rebuilds end. So an answer that waited for its source maps'
     * revalidation is computed from the copies it brought, and changes told after it asked do not
     * hold it up (maps changing faster than a rebuild takes kept it waiting as long as they
     * changed). Does not block; completes on this thread or a worker.
     */
    CompletableFuture<AnswerEngine> settled() {
        Waiting w = new Waiting(told.get(), new CompletableFuture<>());
        settling.add(w);
        if (readUpTo >= w.upTo()) {
            release(readUpTo);
        } else if (!running.get() && !dirty.get()) {
            release(Long.MAX_VALUE);
        }
        return w.set();
    }

    /** Completes those waiting for a set that has read no more than {@code upTo} changes with the one in place. */
    private void release(long upTo) {
        for (Iterator<Waiting> it = settling.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.upTo() <= upTo) {
                it.remove();
                w.set().complete(current.get());
            }
        }
    }

    /**
     * Calls {@code listener} on the worker thread each time a new set is swapped in (answers may
     * differ from then on); it must not block.
     */
    void addRebuiltListener(Runnable listener) {
        rebuiltListeners.add(requireNonNull(listener, "listener"));
    }

    /** The set answers come from now. */
    AnswerEngine current() {
        return current.get();
    }

    /**
     * Computes the answer to {@code request} from {@code maps}, or null to forward it; marks the
     * maps it names as used, and fetches a map it lacked (a cost map no client has asked for, say
     * the ordinal one the origin would also consult), so the next such query is answered here.
     * Runs on a worker thread.
     */
    Reply answer(AnswerEngine maps, AltoRequest request) {
        Reply r = maps.answer(request, this::fetchMissing);
        if (r instanceof Reply.Ok ok) {
            feed.touch(AnswerEngine.DIRECTORY);
            DerivedFrom.paths(ok.representation()).forEach(feed::touch);
        }
        return r;
    }

    /**
     * A query was forwarded: makes sure the directory, which says what may be computed here, is
     * held (it is fetched once; the maps follow as forwarded answers name them). A lookup.
     */
    void forwarded() {
        feed.track(AnswerEngine.DIRECTORY);
    }

    /**
     * Fetches a map a query lacked, at most once per {@link #MISSING_RETRY} per map: a map the
     * upstream cannot serve must not turn every forwarded query into one more fetch of it.
     */
    private void fetchMissing(String target) {
        Instant now = clock.instant();
        Instant last = missingAsked.get(target);
        if (last != null && now.isBefore(last.plus(MISSING_RETRY))) {
            return;
        }
        missingAsked.put(target, now);
        feed.track(target);
    }

    /**
     * Null once local answers are warm: the directory and every map it lists have been fetched
     * (or the upstream answered that it cannot serve them: an upstream without a directory, or a
     * map it cannot serve, does not keep the proxy unready; those queries are forwarded; a fetch
     * that got no answer is tried again and does) and read. Until then, the reason. Once warm
     * it stays so: later versions are read while the previous set answers.
     */
    String notReadyBecause() {
        if (warm) {
            return null;
        }
        if (!started) {
            return "local answers: starting";
        }
        String why = firstFetches();
        if (why == null && (running.get() || dirty.get())) {
            why = "local answers: reading the held maps";
        }
        if (why == null) {
            warm = true;
        }
        return why;
    }

    /**
     * What is still being fetched for the first time (directory, then every listed map, up to
     * {@link Reasons#MAX_LISTED} named) or not read
     * yet, or null. A directory held but not yet read counts: until it is, the maps it lists
     * are not known (the moment between its copy being held and the rebuild starting).
     */
    private String firstFetches() {
        if (first.pending(AnswerEngine.DIRECTORY)) {
            return "local answers: fetching the directory";
        }
        Representation directory = feed.heldSigned(AnswerEngine.DIRECTORY);
        if (directory != null && directory != readDirectory) {
            return "local answers: reading the directory";
        }
        Reasons pending = new Reasons(); // every map still fetched, up to a bound
        for (String t : current.get().listedMaps()) {
            if (first.pending(t)) {
                pending.add(t);
            }
        }
        if (pending.count() > 0) {
            return "local answers: fetching " + pending;
        }
        return null;
    }

    /** Rebuilds completed so far (tests). */
    int builds() {
        return builds.get();
    }
}
