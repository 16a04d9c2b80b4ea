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
 * and gives both back when it closes: 32 per connection alone let a node's non-readers hold
 * {@code maxConnections} × 32 answers. The connection asks the server for one place at a time, for
 * its oldest stream given its turn, and asks for the next once that one has its place: so its
 * streams start in the order they came, the server's waiters are at most one per connection (the
 * places go round the connections by turns, not to the one that asked most), and a stream asks as
 * its connection's first ({@link NodeAnswerPlaces.Place#awaitFirst}), which the server's reserve
 * serves, whenever the connection holds no place, also when it comes to hold none while it waits.
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
    /** Turns given: holding a server place, or the one asking for it. */
    private int answering;
    /** The turn given and waiting for the server's place, or null: the connection asks for one at a time. */
    private Turn asking;
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

    /** Streams given their turn: being answered, or one asking the server for its place. */
    int answering() {
        return answering;
    }

    /** Streams waiting for their turn. */
    int waiting() {
        return waiting.size();
    }

    /** The server's places this connection's streams hold. */
    int holding() {
        return asking == null ? answering : answering - 1;
    }

    /**
     * Gives the oldest waiting stream its turn while the connection has turns free and no stream is asking the
     * server: it asks for a place, and starts now or once the server hands it one. Never nested, so a start that
     * ends its stream at once does not recurse.
     */
    private void grant() {
        if (granting) {
            return;
        }
        granting = true;
        try {
            while (asking == null && answering < max && !waiting.isEmpty()) {
                Iterator<Turn> oldest = waiting.iterator();
                Turn t = oldest.next();
                oldest.remove();
                boolean first = holding() == 0;
                answering++;
                asking = t;
                t.given = true;
                t.first = first;
                t.place = node.place(loop);
                if (first) {
                    t.place.awaitFirst(t::begin); // now, or once the server has a place free
                } else {
                    t.place.await(t::begin);
                }
            }
        } finally {
            granting = false;
        }
    }

    /** One stream's turn to be answered. */
    final class Turn {
        private Runnable start;
        private boolean given;
        private boolean asked;
        /** Asked for its place as its connection's first. */
        private boolean first;
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

        /** The server has given this stream its place: it starts, and the connection's next stream asks for one. */
        private void begin() {
            asking = null;
            Runnable s = start;
            start = null;
            s.run();
            grant();
        }

        /** The stream is gone, or needs no place any longer (an event stream): its place, or its wait, ends. May be called again. */
        void giveBack() {
            if (given) {
                given = false;
                answering--;
                place.giveBack();
                if (asking == this) {
                    asking = null;
                    start = null;
                } else if (asking != null && !asking.first && holding() == 0) {
                    asking.first = true; // the connection holds no place now: its waiter is its first
                    asking.place = asking.place.asFirst();
                }
                grant();
            } else if (start != null) {
                start = null;
                waiting.remove(this);
            }
        }
    }
}
