package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

/**
 * One HTTP/2 stream's place among its connection's large answers not yet all sent ({@link
 * Http2ConnectionGuard#holdLargeAnswer}): taken when a large answer is written, given back when
 * the stream closes (its last frame sent, or reset). Each stream is served alone, so without it a
 * client whose flow-control window stays shut could have the node compute and queue an answer
 * for every one of its streams. On the stream's event loop.
 */
final class LargeAnswerPlace {

    /** What counts as a large answer. */
    static final int LARGE_ANSWER_BYTES = 64 * 1024;

    private final Http2ConnectionGuard connection;
    private boolean taken;

    LargeAnswerPlace(Http2ConnectionGuard connection) {
        this.connection = requireNonNull(connection, "connection");
    }

    /** Whether {@code reply} may be written: it is no large answer, or a place was free for it. */
    boolean take(Reply reply) {
        if (!(reply instanceof Reply.Ok ok) || ok.representation().identity().body().length() < LARGE_ANSWER_BYTES) {
            return true;
        }
        taken = connection.holdLargeAnswer();
        return taken;
    }

    /** The stream is gone: its place, if it took one, is free again. */
    void giveBack() {
        if (taken) {
            taken = false;
            connection.largeAnswerSent();
        }
    }
}
