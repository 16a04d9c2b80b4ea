package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

/**
 * Told about every response the front end writes, for metrics and access logs.
 *
 * <p>Called on the connection's event loop right after the response is handed to Netty, so an
 * implementation must be quick and must not block (increment a counter, record into a
 * histogram, hand a log event to an asynchronous appender). An exception thrown here is logged
 * and otherwise ignored.
 */
@FunctionalInterface
public interface RequestObserver {

    void onResponse(Served response);

    /** This observer, then {@code next}; a failure of the first does not keep the second from being told. */
    default RequestObserver andThen(RequestObserver next) {
        requireNonNull(next, "next");
        return response -> {
            try {
                onResponse(response);
            } finally {
                next.onResponse(response);
            }
        };
    }

    /** An observer that does nothing. */
    static RequestObserver noop() {
        return response -> { };
    }
}
