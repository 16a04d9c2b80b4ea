package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.store.Representation;

/** What an {@link AltoService} answers: a prepared representation, or an ALTO error. */
public sealed interface Reply {

    /** A representation, written as 200 (or 304 when the client's tag matches). */
    record Ok(Representation representation) implements Reply {
        public Ok {
            requireNonNull(representation, "representation");
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

    static Reply ok(Representation r) {
        return new Ok(r);
    }

    static Reply error(AltoError e, Dialect d) {
        return new Error(e, d);
    }
}
