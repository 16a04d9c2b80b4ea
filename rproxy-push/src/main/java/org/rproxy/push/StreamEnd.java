package org.rproxy.push;

import static java.util.Objects.requireNonNull;

/**
 * How an upstream update stream ended, as its connection tells it ({@link UpstreamStream.Listener#closed}):
 * {@link Kind#ENDED} when the upstream ended the stream's response cleanly with its last chunk, as a
 * stopping node ends every update stream (a planned restart, most likely); {@link Kind#BROKEN}
 * otherwise (refused, reset, timed out, never connected). The kind decides how loud the loss is
 * ({@link StreamLossLog}); the reason is only for the log, so rewording it changes no decision.
 *
 * @param kind   clean end or break
 * @param reason what the log says of it
 */
record StreamEnd(Kind kind, String reason) {

    /** The two ways a stream ends. */
    enum Kind {
        /** The upstream ended the response with its last chunk. */
        ENDED,
        /** Anything else: the connection broke, timed out, was refused or never opened. */
        BROKEN
    }

    /** What the log says of a stream the upstream ended cleanly. */
    static final String ENDED_REASON = "the upstream ended the stream";

    StreamEnd {
        requireNonNull(kind, "kind");
        requireNonNull(reason, "reason");
    }

    /** The upstream ended the stream cleanly (its last chunk). */
    static StreamEnd ended() {
        return new StreamEnd(Kind.ENDED, ENDED_REASON);
    }

    /** The stream broke, or never opened, for {@code reason}. */
    static StreamEnd broken(String reason) {
        return new StreamEnd(Kind.BROKEN, reason);
    }

    /** Whether the upstream ended the stream cleanly. */
    boolean clean() {
        return kind == Kind.ENDED;
    }
}
