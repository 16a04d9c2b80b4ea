package org.rproxy.overlay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whose turn it is to fetch, among the fetches of one {@link Swarm}: one at a time, in the order
 * asked. bt 1.10 files each block it receives, until the torrent's worker takes it, in one
 * registry per runtime keyed by piece index and offset alone (bt's {@code BufferedPieceRegistry},
 * here {@link ReceivedBlocks}: the connection's reader files it, the message dispatcher's thread
 * takes it, and neither says the torrent or the connection): two torrents that
 * receive the same block at once (the first block of every bundle is piece 0, offset 0) share one
 * entry, so one of them takes the other's block (its piece fails its hash and is fetched again)
 * or finds its own gone, and waits out bt's 5-second piece timeout before asking again. Three
 * bundles fetched at once from one publisher lost a block in 4 rounds of 5, and took 6.7 s
 * instead of 1.6 s. A fetch is not trusted for it (every bundle is signed, and bt checks every
 * piece's SHA-1); it is slower.
 *
 * <p>A fetch keeps its turn until it ends, once its torrent's metadata came (its blocks are
 * next); one that has not had its metadata within {@link #TURN} (no seeder found, or none that
 * answers: it receives no blocks) lets the next one start beside it, so that a torrent nobody
 * seeds does not hold up the others until their budgets run out. Blocks stay one torrent's at a
 * time even then: a fetch asks for pieces only while it {@link Turn#mayReceive may receive}, which
 * the first to have its metadata may until it ends, and the others after it in the order their
 * metadata came ({@link MagnetFetch}'s piece selector asks). Before, one passed over that had its
 * metadata late received beside the next (at load 30-40, three bundles fetched at once lost a
 * block now and then). Thread-safe.
 */
final class FetchTurns {
    private static final Logger log = LoggerFactory.getLogger(FetchTurns.class);
    /** How long a fetch without its metadata keeps the next one waiting: about bt's piece timeout, what a shared block costs. */
    static final Duration TURN = Duration.ofSeconds(5);

    private final Deque<Turn> waiting = new ArrayDeque<>();
    /** Runs the fetches' starts: never on the thread (bt's, often) that ended the fetch before. */
    private final Executor starter;
    /** Runs a check {@link #TURN} after a fetch started. */
    private final Executor afterTurn;
    /** The fetch that has the turn, or null; guarded by this. */
    private Turn holder;
    /** The fetch that may receive blocks, or null; guarded by this. */
    private Turn receiver;
    /** The fetches with their metadata waiting to receive, in the order it came; guarded by this. */
    private final Deque<Turn> toReceive = new ArrayDeque<>();

    FetchTurns() {
        this(CompletableFuture.delayedExecutor(0, TimeUnit.MILLISECONDS),
                CompletableFuture.delayedExecutor(TURN.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Turns that start fetches on {@code starter} and run on {@code afterTurn} what is due a turn after a start. */
    FetchTurns(Executor starter, Executor afterTurn) {
        this.starter = starter;
        this.afterTurn = afterTurn;
    }

    /** One fetch's turn; its state is guarded by the {@link FetchTurns}. */
    final class Turn {
        private Runnable start;
        private boolean metadata;
        private boolean ended;

        private Turn() {
        }

        /**
         * The fetch's torrent has its metadata: it keeps its turn until it ends, and may receive
         * blocks at once if no other fetch may, else after those that had their metadata before.
         */
        void metadata() {
            synchronized (FetchTurns.this) {
                if (metadata || ended) {
                    return;
                }
                metadata = true;
                if (receiver == null) {
                    receiver = this;
                } else {
                    toReceive.add(this);
                }
            }
        }

        /** Whether the fetch may ask for pieces now: no other fetch's blocks can come meanwhile. */
        boolean mayReceive() {
            synchronized (FetchTurns.this) {
                return receiver == this;
            }
        }

        /** The fetch ended (whichever way): the next one starts if this one had the turn; one still waiting never starts. */
        void end() {
            Turn next;
            synchronized (FetchTurns.this) {
                ended = true;
                if (receiver == this) {
                    receiver = toReceive.poll();
                } else {
                    toReceive.remove(this);
                }
                if (waiting.remove(this) || holder != this) {
                    return;
                }
                next = passOn();
            }
            begin(next);
        }
    }

    /** A turn for a fetch not asked for yet; {@link #take} asks for it. */
    Turn turn() {
        return new Turn();
    }

    /**
     * Runs {@code start} (off the calling thread) when it is {@code turn}'s turn: at once when no
     * fetch has the turn, else when the fetches asked before it ended or went {@link #TURN}
     * without their metadata; never when {@code turn} ended first.
     */
    void take(Turn turn, Runnable start) {
        boolean now;
        synchronized (this) {
            if (turn.ended) {
                return;
            }
            turn.start = start;
            now = holder == null;
            if (now) {
                holder = turn;
            } else {
                waiting.add(turn);
            }
        }
        if (now) {
            begin(turn);
        }
    }

    /** Starts {@code turn}'s fetch (null: none), and lets the next one start beside it if it has no metadata in time. */
    private void begin(Turn turn) {
        if (turn == null) {
            return;
        }
        starter.execute(turn.start);
        afterTurn.execute(() -> {
            Turn next;
            synchronized (this) {
                if (holder != turn || turn.metadata) {
                    return;
                }
                next = passOn();
            }
            if (next != null) {
                log.debug("a fetch has no metadata {} after its start: the next starts beside it", TURN);
            }
            begin(next);
        });
    }

    /** Gives the turn to the first fetch waiting (null: none); under this. */
    private Turn passOn() {
        holder = waiting.poll();
        return holder;
    }
}
