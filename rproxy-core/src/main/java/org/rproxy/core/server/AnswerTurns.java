package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.Iterator;
import java.util.LinkedHashSet;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * The streams of one HTTP/2 connection being answered at once: at most {@link #MAX_ANSWERING},
 * each from the moment its request is handed to the service until its stream closes (the
 * answer's last frame handed to the socket, or the stream reset); the others wait their turn,
 * unstarted, in the order they came. Without it every stream's request was answered at once, and
 * an answer waited on the heap until its stream could be written: a client that opened its
 * window and read nothing held up to {@code maxStreams} answers per connection, none of them yet
 * written, so no write-stall timeout ever ran for them. Now the answers made and not yet sent are
 * at most {@code MAX_ANSWERING} per connection, each handed to its stream as soon as it is made,
 * where the stall timeout ({@link RequestDeadline}) resets it if the client takes none of it.
 * A stream given its turn here also takes a place among the server's ({@link NodeAnswerPlaces}),
 * waiting for one in the order it came, and gives both back when it closes: 32 per connection
 * alone let a node's non-readers hold {@code maxConnections} × 32 answers.
 * One per connection, on its event loop (its streams run there too).
 */
final class AnswerTurns {

    /**
     * As many as the requests an HTTP/1.1 connection may owe answers to ({@link ExchangeHandler#MAX_IN_FLIGHT}):
     * more than the query pool's threads and enough for a client's fan-out of lookups, while a client that
     * reads nothing holds at most 32 answers (2 MB of answers under 64 KB) per connection.
     */
    static final int MAX_ANSWERING = ExchangeHandler.MAX_IN_FLIGHT;

    private final int max;
    private final NodeAnswerPlaces node;
    private final EventExecutor loop;
    private final LinkedHashSet<Turn> waiting = new LinkedHashSet<>();
    private int answering;
    /** Granting turns now: a turn given back meanwhile is handed on by that loop, not by a nested one. */
    private boolean granting;

    /** @param node the server's places, which this connection's streams take theirs from; {@code loop} the connection's */
    AnswerTurns(NodeAnswerPlaces node, EventExecutor loop) {
        this(MAX_ANSWERING, node, loop);
    }

    /** A connection alone: the server bounds nothing, its places are {@code Integer.MAX_VALUE}. */
    AnswerTurns(int max) {
        this(max, new NodeAnswerPlaces(Integer.MAX_VALUE), ImmediateEventExecutor.INSTANCE);
    }

    AnswerTurns(int max, NodeAnswerPlaces node, EventExecutor loop) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.max = max;
        this.node = requireNonNull(node, "node");
        this.loop = requireNonNull(loop, "loop");
    }

    /** A stream's turn, not asked for yet. */
    Turn turn() {
        return new Turn();
    }

    /** Streams being answered now. */
    int answering() {
        return answering;
    }

    /** Streams waiting for their turn. */
    int waiting() {
        return waiting.size();
    }

    /** Starts what waits, oldest first, while places are free; never nested, so a start that ends its stream at once does not recurse. */
    private void grant() {
        if (granting) {
            return;
        }
        granting = true;
        try {
            Iterator<Turn> oldest = waiting.iterator();
            while (answering < max && oldest.hasNext()) {
                Turn t = oldest.next();
                oldest.remove();
                answering++;
                t.holding = true;
                Runnable start = t.start;
                t.start = null;
                t.place = node.place(loop);
                t.place.await(start); // now, or once the server has a place free
                oldest = waiting.iterator(); // a start may have changed the set (a stream gone)
            }
        } finally {
            granting = false;
        }
    }

    /** One stream's turn to be answered. */
    final class Turn {
        private Runnable start;
        private boolean holding;
        private boolean asked;
        /** The server's place this turn holds or waits for, once the connection has given it its turn. */
        private NodeAnswerPlaces.Place place;

        /** Runs {@code start} when this stream's turn has come: now, if a place is free, else once one is. Once. */
        void await(Runnable start) {
            if (asked) {
                throw new IllegalStateException("turn asked for twice");
            }
            asked = true;
            this.start = start;
            waiting.add(this);
            grant();
        }

        /** The stream is gone, or needs no place any longer (an event stream): its place, or its wait, ends. May be called again. */
        void giveBack() {
            if (holding) {
                holding = false;
                answering--;
                place.giveBack();
                grant();
            } else if (start != null) {
                start = null;
                waiting.remove(this);
            }
        }
    }
}
