package org.rproxy.core.server;

/**
 * Told about every response the front end writes, for metrics and access logs.
 *
 * <p>Called on the connection's event loop right after the response is handed to Netty, so an
 * implementation must be quick and must not block (increment a counter, record into a
 * histogram). An exception thrown here is logged and otherwise ignored.
 */
@FunctionalInterface
public interface RequestObserver {

    /**
     * @param method    the request method, or {@code "-"} when the request line could not be read
     * @param path      the decoded request path, or {@code "-"} when unknown
     * @param status    the HTTP status written
     * @param bodyBytes the bytes of body written (0 for HEAD and 304)
     * @param nanos     time from the complete request head to the response being written
     */
    void onResponse(String method, String path, int status, long bodyBytes, long nanos);

    /** An observer that does nothing. */
    static RequestObserver noop() {
        return (method, path, status, bodyBytes, nanos) -> { };
    }
}
