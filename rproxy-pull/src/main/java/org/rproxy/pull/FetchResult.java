package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.model.AltoError;

/** How one attempt to obtain or renew an entry from upstream ended. */
sealed interface FetchResult {

    /**
     * A copy that verified: new, or the held one renewed by a 304.
     *
     * @param failed how the attempt's other request failed, when only part of the copy was renewed
     *               (the gzip variant, beside the held identity of its signing), else null: the
     *               upstream is asked again as after a failure
     */
    record Stored(CachedCopy held, Failed failed) implements FetchResult {
        public Stored {
            requireNonNull(held, "held");
        }

        /** A copy renewed whole. */
        Stored(CachedCopy held) {
            this(held, null);
        }
    }

    /**
     * The upstream answered the client's question with an error (4xx), passed on as such.
     *
     * @param allow    the upstream's {@code Allow} with a 405 (RFC 9110 §10.2.1), else null
     * @param upstream the upstream that answered ({@link org.rproxy.core.upstream.UpstreamResponse#upstream}), for logs
     */
    record Answer(AltoError error, String allow, String upstream) implements FetchResult {
        public Answer {
            requireNonNull(error, "error");
            requireNonNull(upstream, "upstream");
        }
    }

    /**
     * Nothing usable came back: unreachable, timed out, 5xx, an answer that could not be used, or
     * refused by verification. What is held stays; a client with nothing valid to get is answered
     * {@code status}.
     *
     * @param status         502 when the upstream sent something that did not verify or could not be
     *                       used, 503 when no connection to it was free within the timeout, else 504
     * @param reason         for logs and the error body
     * @param rejected       true when verification refused the answer
     * @param upstreamStatus the status the upstream answered ({@code 5xx}, or another it may not
     *                       send), else 0: no answer came, or this proxy failed the attempt. An
     *                       upstream answering one document so is up ({@link UpstreamOutage})
     * @param unusable       true when the upstream answered, but with what this proxy cannot take
     *                       (malformed, a body over {@code max-body}:
     *                       {@link org.rproxy.core.upstream.UpstreamException.Kind#UNUSABLE}): it is
     *                       up, and this document fails on its own, as with {@code rejected}
     */
    record Failed(int status, String reason, boolean rejected, int upstreamStatus, boolean unusable)
            implements FetchResult {
        /** This proxy is stopping: its own close cut the attempt, and no upstream is to blame. */
        static final Failed STOPPING = new Failed(503, "this proxy is stopping", false);

        public Failed {
            requireNonNull(reason, "reason");
        }

        /** A failure the upstream sent no status for. */
        Failed(int status, String reason, boolean rejected) {
            this(status, reason, rejected, 0);
        }

        /** A failure with the status the upstream answered, or 0 ({@link #upstreamStatus}). */
        Failed(int status, String reason, boolean rejected, int upstreamStatus) {
            this(status, reason, rejected, upstreamStatus, false);
        }

        /** The upstream answered what cannot be used ({@link #unusable}): {@code 502}, as for a refused answer. */
        static Failed unusable(String reason) {
            return new Failed(502, reason, false, 0, true);
        }

        /** True when the upstream answered the attempt, with what was refused here or cannot be used. */
        boolean upstreamAnswered() {
            return rejected || unusable;
        }

        /**
         * An attempt that ended without a result: its answer found the worker threads' queue full
         * ({@link WorkPool.Full}: this proxy's overload, 503, to be retried soon), the proxy stopped
         * before it was verified ({@link WorkPool.Stopped}), or it broke.
         */
        static Failed thrown(Throwable failure) {
            Throwable c = Completions.cause(failure);
            if (c instanceof WorkPool.Stopped) {
                return STOPPING;
            }
            if (c instanceof WorkPool.Full) {
                return new Failed(503, "too many upstream answers wait for verification here: " + c.getMessage(), false);
            }
            return new Failed(504, "upstream attempt failed: " + failure, false);
        }
    }
}
