package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Whether the client of a request still waits for its answer: the front end tells the request's
 * wait once its HTTP/1.1 connection has closed or its HTTP/2 stream has been reset before the
 * answer was written. A service that queues work for a request wraps it in {@link #unlessGone},
 * so that work whose client has left by the time its turn comes is skipped, not done: in a flash
 * crowd, clients that time out and ask again would otherwise have the node compute answers
 * nobody reads, in front of the ones asked again, which then wait past the queue's bound and are
 * shed. Work already under way runs to its end; only what has not started is skipped.
 *
 * <p>Thread-safe: told on the connection's event loop, read on the thread that takes the work.
 */
public final class ClientWait {

    private static final ClientWait IN_PROCESS = new ClientWait(new LongAdder());

    private final LongAdder skipped;
    private volatile boolean gone;

    /** @param skipped counts the work skipped because the client had left (the node's {@code rproxy_queries_skipped_total}) */
    ClientWait(LongAdder skipped) {
        this.skipped = requireNonNull(skipped, "skipped");
    }

    /** The wait of a request made inside the process, whose caller always takes the answer. */
    public static ClientWait inProcess() {
        return IN_PROCESS;
    }

    /** True once the client has left without the answer. */
    public boolean gone() {
        return gone;
    }

    /** The client has left: its connection closed, or its HTTP/2 stream was reset. Event loop. */
    void leave() {
        if (this != IN_PROCESS) {
            gone = true;
        }
    }

    /**
     * {@code work}, done when called unless the client has left by then: it then throws
     * {@link Gone} (which completes a {@code supplyAsync} stage with it) and counts the skip.
     */
    public <T> Supplier<T> unlessGone(Supplier<T> work) {
        requireNonNull(work, "work");
        return () -> {
            if (gone) {
                skipped.increment();
                throw new Gone();
            }
            return work.get();
        };
    }

    /**
     * Work skipped because its client had left. The front end drops the request's answer quietly
     * when its stage fails with this: nobody is there to answer, and nothing went wrong.
     */
    public static final class Gone extends CancellationException {
        private static final long serialVersionUID = 1L;

        Gone() {
            super("the client left before its answer was computed");
        }
    }
}
