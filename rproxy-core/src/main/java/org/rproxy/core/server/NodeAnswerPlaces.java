package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.util.concurrent.EventExecutor;

/**
 * The answers all HTTP/2 streams of a server may have made or be making at once
 * ({@link FrontEndConfig#maxAnswersHeld}): a place is taken when a stream's request is handed to
 * the service and given back when its stream closes (its answer's last frame handed to the
 * socket, a reset, the stall timeout, the connection's close). {@link AnswerTurns} bounds each
 * connection to 32 such answers; without a bound over them all, clients that asked on many
 * connections and read nothing held 32 answers each on the heap until the idle timeout (1.7 MB a
 * connection measured, a 1 GB heap full at about 600 of them). Past the bound a stream waits,
 * unstarted, and starts on its own event loop once a place is handed to it.
 *
 * <p>The last quarter of the places (the <em>reserve</em>, {@link #RESERVE_SHARE}) goes only to a
 * stream whose connection holds no place: its <em>first</em>. Without it, non-readers holding every
 * place made every other HTTP/2 client wait behind them for the stall timeout (60 s by default),
 * one timeout per round of non-readers: about 128 connections asking 32 times each and reading
 * nothing froze every honest HTTP/2 client of a 1 GB node for a minute at a time. A client that
 * reads holds a place for a moment at a time, so it finds one in the reserve; to take the reserve
 * too, non-readers must open one more connection for each of its places (1,024 at 1 GB), within
 * {@code maxConnections}. It is the guarantee a kernel gives each socket of its minimum buffer
 * under memory pressure, here counted within the bound, which is never passed. Waiters for a
 * first place are handed places before the others, each kind in the order it came; a connection
 * asks for one place at a time ({@link AnswerTurns}), so among connections the places go round
 * by turns, and one holding many waits behind one that holds none.
 *
 * <p>Shared by all event loops, lock-free: a waiter queues itself and then tries for a place; a
 * place given back is counted free and then handed to the oldest waiter, so no hand-over is lost.
 * A waiter gone meanwhile (its stream closed) never held a place and is skipped; the gone are
 * swept from the queues once many have piled up, so clients that come and go while every place is
 * held cannot grow them without bound.
 */
final class NodeAnswerPlaces {

    /** The reserve is the bound's quarter: little of a node's answers, while 1,024 places at 1 GB take as many connections to fill. */
    static final int RESERVE_SHARE = 4;

    /** Gone waiters left in the queues before they are swept of them. */
    private static final int SWEEP_AFTER = 1024;

    private static final int WAITING = 1;
    private static final int HOLDING = 2;
    private static final int GONE = 3;

    private final int max;
    /** The places any stream may take; the rest, up to {@link #max}, only a connection's first. */
    private final int ordinary;
    private final AtomicInteger held = new AtomicInteger();
    /** Waiting for a connection's first place, which the reserve may give. */
    private final Queue<Place> firsts = new ConcurrentLinkedQueue<>();
    /** Waiting for an ordinary place: the stream's connection holds one already. */
    private final Queue<Place> others = new ConcurrentLinkedQueue<>();
    private final AtomicInteger goneWaiting = new AtomicInteger();
    private final LongAdder waits = new LongAdder();

    NodeAnswerPlaces(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
        this.ordinary = max - max / RESERVE_SHARE;
    }

    /** A place for one stream's answer, not asked for yet; its start will run on {@code loop}, the stream's. */
    Place place(EventExecutor loop) {
        return new Place(requireNonNull(loop, "loop"));
    }

    /** Places held now. */
    int held() {
        return held.get();
    }

    int max() {
        return max;
    }

    /** The places only a connection's first may take. */
    int reserve() {
        return max - ordinary;
    }

    /** The times a stream has had to wait for a place. */
    long waits() {
        return waits.sum();
    }

    private boolean tryTake(int limit) {
        while (true) {
            int h = held.get();
            if (h >= limit) {
                return false;
            }
            if (held.compareAndSet(h, h + 1)) {
                return true;
            }
        }
    }

    private void release() {
        held.decrementAndGet();
        handOn();
    }

    /** Hands free places to the waiters, first places before the others, each kind oldest first; any thread. */
    private void handOn() {
        while (handOnTo(firsts, max) || handOnTo(others, ordinary)) {
            // again, until no waiter of either kind can have a place
        }
    }

    /** Takes a place under {@code limit} for the oldest of {@code queue}; false when none waits or none is free. */
    private boolean handOnTo(Queue<Place> queue, int limit) {
        if (queue.isEmpty() || !tryTake(limit)) {
            return false;
        }
        Place next = queue.poll();
        if (next == null || !next.granted()) {
            held.decrementAndGet(); // taken by another hand-on meanwhile, or gone: the place stays free
        }
        return true;
    }

    private void gone() {
        if (goneWaiting.incrementAndGet() >= SWEEP_AFTER) {
            goneWaiting.addAndGet(-SWEEP_AFTER);
            firsts.removeIf(p -> p.state.get() == GONE);
            others.removeIf(p -> p.state.get() == GONE);
        }
    }

    /** One stream's place; {@link #await}, {@link #awaitFirst}, {@link #asFirst} and {@link #giveBack} on the stream's event loop. */
    final class Place {
        private final EventExecutor loop;
        private final AtomicInteger state = new AtomicInteger();
        private Runnable start;

        private Place(EventExecutor loop) {
            this.loop = loop;
        }

        /** Runs {@code start} once this stream has an ordinary place: now, if one is free and none waits, else when handed one. Once. */
        void await(Runnable start) {
            ask(start, false);
        }

        /**
         * As {@link #await}, for a stream whose connection holds no place: the reserve may give it one, and it is
         * handed one before the streams of connections that hold some.
         */
        void awaitFirst(Runnable start) {
            ask(start, true);
        }

        private void ask(Runnable start, boolean first) {
            if (state.get() != 0) {
                throw new IllegalStateException("place asked for twice");
            }
            Queue<Place> queue = first ? firsts : others;
            if (queue.isEmpty() && firsts.isEmpty() && tryTake(first ? max : ordinary)) {
                state.set(HOLDING);
                start.run();
                return;
            }
            waits.increment();
            queue(start, queue);
        }

        private void queue(Runnable start, Queue<Place> queue) {
            this.start = start;
            state.set(WAITING);
            queue.add(this);
            handOn(); // a place given back between the try and the queueing would otherwise go unseen
        }

        /**
         * This stream waits for an ordinary place and its connection has come to hold none: it waits for a first
         * place instead, counted as the same wait. Returns the place the stream has now: a new one, waiting for a
         * first place, or this one if it is no longer waiting (handed a place already, its start on its way).
         */
        Place asFirst() {
            if (!state.compareAndSet(WAITING, GONE)) {
                return this;
            }
            Runnable s = start;
            start = null;
            gone();
            Place moved = new Place(loop);
            moved.queue(s, firsts);
            return moved;
        }

        /** A place was taken for this waiter on some thread: its start runs on its loop, unless it is gone by then. */
        private boolean granted() {
            if (!state.compareAndSet(WAITING, HOLDING)) {
                return false;
            }
            try {
                loop.execute(this::started);
            } catch (RejectedExecutionException e) {
                giveBackHeld(); // the loop is shutting down: its streams are gone
            }
            return true;
        }

        private void started() {
            Runnable s = start;
            start = null;
            if (s != null && state.get() == HOLDING) {
                s.run();
            }
        }

        /** The stream is gone or needs no place any longer: its place, or its wait, ends. May be called again. */
        void giveBack() {
            start = null;
            int was = state.getAndSet(GONE);
            if (was == HOLDING) {
                release();
            } else if (was == WAITING) {
                gone();
            }
        }

        private void giveBackHeld() {
            if (state.compareAndSet(HOLDING, GONE)) {
                release();
            }
        }
    }
}
