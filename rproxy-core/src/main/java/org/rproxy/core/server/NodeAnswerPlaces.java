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
 * unstarted, in the order it came, and starts on its own event loop once a place is handed to it.
 *
 * <p>Shared by all event loops, lock-free: a waiter queues itself and then tries for a place; a
 * place given back is counted free and then handed to the oldest waiter, so no hand-over is lost.
 * A waiter gone meanwhile (its stream closed) never held a place and is skipped; the gone are
 * swept from the queue once many have piled up, so clients that come and go while every place is
 * held cannot grow it without bound.
 */
final class NodeAnswerPlaces {

    /** Gone waiters left in the queue before it is swept of them. */
    private static final int SWEEP_AFTER = 1024;

    private static final int WAITING = 1;
    private static final int HOLDING = 2;
    private static final int GONE = 3;

    private final int max;
    private final AtomicInteger held = new AtomicInteger();
    private final Queue<Place> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger goneWaiting = new AtomicInteger();
    private final LongAdder waits = new LongAdder();

    NodeAnswerPlaces(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
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

    /** The times a stream has had to wait for a place. */
    long waits() {
        return waits.sum();
    }

    private boolean tryTake() {
        while (true) {
            int h = held.get();
            if (h >= max) {
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

    /** Hands free places to the waiters, oldest first; any thread. */
    private void handOn() {
        while (!waiting.isEmpty() && tryTake()) {
            Place next = waiting.poll();
            if (next == null || !next.granted()) {
                held.decrementAndGet(); // taken by another hand-on meanwhile, or gone: the place stays free
            }
        }
    }

    /** One stream's place; {@link #await} and {@link #giveBack} on the stream's event loop. */
    final class Place {
        private final EventExecutor loop;
        private final AtomicInteger state = new AtomicInteger();
        private Runnable start;

        private Place(EventExecutor loop) {
            this.loop = loop;
        }

        /** Runs {@code start} once this stream has a place: now, if one is free and none waits, else when handed one. Once. */
        void await(Runnable start) {
            if (state.get() != 0) {
                throw new IllegalStateException("place asked for twice");
            }
            if (waiting.isEmpty() && tryTake()) {
                state.set(HOLDING);
                start.run();
                return;
            }
            this.start = start;
            state.set(WAITING);
            waits.increment();
            waiting.add(this);
            handOn(); // a place given back between the try and the queueing would otherwise go unseen
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
            } else if (was == WAITING && goneWaiting.incrementAndGet() >= SWEEP_AFTER) {
                goneWaiting.addAndGet(-SWEEP_AFTER);
                waiting.removeIf(p -> p.state.get() == GONE);
            }
        }

        private void giveBackHeld() {
            if (state.compareAndSet(HOLDING, GONE)) {
                release();
            }
        }
    }
}
