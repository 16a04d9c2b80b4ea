package org.rproxy.core.server;

/**
 * The request-body bytes one connection may hold at once while bodies arrive, over all its
 * requests: what each {@link BodyAccumulator} takes as it grows and gives back when its request is
 * complete, refused or gone. An HTTP/1.1 connection reads one body at a time and needs none
 * ({@link #unbounded}); an HTTP/2 connection may carry {@link FrontEndConfig#maxStreams} bodies
 * at once, so it has one of {@link #forHttp2}, and a stream whose body would take it past that is
 * answered 503. Counts the arrays actually allocated, not lengths declared. Used on the
 * connection's event loop only (its streams run there too).
 */
final class BodyBudget {

    /** The budget of an HTTP/2 connection, unless the body limit is larger: four largest bodies at the default limit. */
    static final long PER_HTTP2_CONNECTION = 4L * 1024 * 1024;

    private final long limit;
    private long held;

    BodyBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
        }
        this.limit = limit;
    }

    /** No bound: a connection that reads one request body at a time. */
    static BodyBudget unbounded() {
        return new BodyBudget(Long.MAX_VALUE);
    }

    /** An HTTP/2 connection's: {@link #PER_HTTP2_CONNECTION}, or the body limit if larger, so one largest body always fits. */
    static BodyBudget forHttp2(int maxBodyBytes) {
        return new BodyBudget(Math.max(PER_HTTP2_CONNECTION, maxBodyBytes));
    }

    /** Takes {@code bytes} more; false (and nothing taken) when that would pass the limit. */
    boolean take(int bytes) {
        if (bytes > limit - held) {
            return false;
        }
        held += bytes;
        return true;
    }

    /** Gives back {@code bytes} taken before. */
    void giveBack(int bytes) {
        held -= bytes;
    }

    /** Whether nothing more can be taken: a body starting now would be refused at its first byte. */
    boolean spent() {
        return held >= limit;
    }

    long held() {
        return held;
    }

    long limit() {
        return limit;
    }
}
