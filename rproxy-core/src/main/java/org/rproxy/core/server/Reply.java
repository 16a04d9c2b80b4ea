package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.Consumer;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.store.Representation;

/**
 * What an {@link AltoService} answers: a prepared representation, an ALTO error, or a long-lived
 * event stream.
 */
public sealed interface Reply {

    /**
     * A representation, written as 200 (or 304 when the client's tag matches).
     *
     * @param cache where it came from, for the access log
     */
    record Ok(Representation representation, CacheStatus cache) implements Reply {
        public Ok {
            requireNonNull(representation, "representation");
            requireNonNull(cache, "cache");
        }

        /** An answer that says nothing of where it came from ({@link CacheStatus#NONE}). */
        public Ok(Representation representation) {
            this(representation, CacheStatus.NONE);
        }
    }

    /**
     * An error, rendered by the front end in the dialect of the request.
     *
     * @param allow for a 405, the methods the resource accepts ({@code Allow}, RFC 9110 §10.2.1), else null
     */
    record Error(AltoError error, Dialect dialect, String allow) implements Reply {
        public Error {
            requireNonNull(error, "error");
            requireNonNull(dialect, "dialect");
        }

        public Error(AltoError error, Dialect dialect) {
            this(error, dialect, null);
        }
    }

    /**
     * A {@code 200} {@code text/event-stream} answer that stays open (RFC 8895 §6.6): the front end
     * writes the head, then hands a {@link StreamSink} to {@code onOpen} on the event loop (so
     * {@code onOpen} must only hand the sink off). The connection serves nothing else afterwards:
     * requests pipelined behind this one are dropped, and the connection closes when the stream
     * ends. While the stream is open the idle timeout does not apply; instead the front end writes
     * an SSE comment line ({@code :}) whenever nothing was written for {@code heartbeat}, which
     * keeps intermediaries from timing the connection out and lets the subscriber detect a dead one.
     *
     * @param heartbeat longest silence on the stream, > 0
     * @param onOpen    receives the sink once the head is written
     */
    record Stream(Duration heartbeat, Consumer<StreamSink> onOpen) implements Reply {
        public Stream {
            requireNonNull(heartbeat, "heartbeat");
            requireNonNull(onOpen, "onOpen");
            if (heartbeat.isNegative() || heartbeat.isZero()) {
                throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: > 0)");
            }
        }
    }

    /**
     * {@code 204 No Content}: the request was done and there is nothing to send (RFC 9110 §15.3.5),
     * as a stream control service answers (RFC 8895 §7.6).
     */
    record NoContent() implements Reply {
    }

    static Reply ok(Representation r) {
        return new Ok(r);
    }

    static Reply ok(Representation r, CacheStatus cache) {
        return new Ok(r, cache);
    }

    static Reply error(AltoError e, Dialect d) {
        return new Error(e, d);
    }
}
