package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.List;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.store.HeaderField;

/**
 * One request as it leaves {@link RequestAssembler} for {@link ExchangeHandler}: exactly one per
 * HTTP request, in the order received, so that answers can be written in that order. Holds no
 * reference-counted object: the body has been copied out of Netty's buffers already (but its
 * bytes may still be counted in the body budget: {@link Call#release}).
 */
sealed interface Exchange {

    RequestHead head();

    /**
     * A well-formed request for the {@link AltoService}.
     *
     * @param body on HTTP/1.1, the request's body, whose bytes stay taken from the connection's {@link BodyBudget}
     *             until {@link #release} (the {@link ExchangeHandler} calls it once the answer is handed on or the
     *             request dropped): pipelined requests wait there, up to 32 a connection, each holding its body;
     *             null when there is nothing to give back (no body, or an HTTP/2 stream's, which its assembler holds)
     */
    record Call(RequestHead head, AltoRequest request, BodyAccumulator body) implements Exchange {
        public Call {
            requireNonNull(head, "head");
            requireNonNull(request, "request");
        }

        /** Gives the body's bytes back to the budget; may be called again. */
        void release() {
            if (body != null) {
                body.release();
            }
        }
    }

    /**
     * A request the front end answers itself with an ALTO error.
     *
     * @param headers extra response header fields (such as {@code allow})
     * @param close   whether the connection must close after the answer (unread input remains)
     */
    record Refusal(RequestHead head, AltoError error, Dialect dialect, List<HeaderField> headers, boolean close)
            implements Exchange {
        public Refusal {
            requireNonNull(head, "head");
            requireNonNull(error, "error");
            requireNonNull(dialect, "dialect");
            headers = List.copyOf(headers);
        }
    }

    /**
     * Fired ahead of a {@link Call} whose client waits for {@code 100 (Continue)} before sending
     * the body (RFC 9110 §10.1.1).
     */
    enum ContinueWanted {
        INSTANCE
    }
}
