package org.rproxy.core.net;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Host names looked up off the thread that needs them: a name lookup may block for seconds (a
 * slow resolver, an unreadable hosts file), which neither an event loop (the upstream client's
 * and the push feed's connections, core's {@code upstream.NameLookup}) nor an application's
 * thread ranking sources before every request (the client library's {@code HostAddresses}) may
 * wait for. Every lookup of the JVM runs on a few shared daemon threads ({@code rproxy-lookup-N},
 * at most {@link #THREADS}, idle ones end after 30 s): more wait for a thread, each within the
 * bound its caller keeps. Plain threads, not Netty's (a Netty thread counts as an event loop's,
 * one that may not block), and no Netty type: the client library runs this without Netty.
 * Thread-safe.
 */
public final class NameLookups {
    /** The most lookups running at once in the JVM; more wait for a thread. */
    public static final int THREADS = 4;
    private static final ThreadPoolExecutor LOOKUPS = lookupThreads();

    /** How a host name becomes its addresses: {@link InetAddress#getAllByName}, or a test's own. */
    @FunctionalInterface
    public interface Resolve {
        /**
         * The addresses of {@code host}; may block.
         *
         * @param host a host name
         * @return its addresses, the preferred first
         * @throws UnknownHostException when it has none
         */
        InetAddress[] all(String host) throws UnknownHostException;
    }

    /** Lookups by the JDK's resolver ({@link InetAddress#getAllByName}). */
    public static final Resolve SYSTEM = InetAddress::getAllByName;

    private NameLookups() {
    }

    private static ThreadPoolExecutor lookupThreads() {
        AtomicInteger made = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rproxy-lookup-" + made.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Looks {@code host} up by {@code resolve} on a lookup thread and returns at once. The future
     * completes on that thread with the addresses (at least one), or fails with why there are none
     * (an {@link UnknownHostException}, or what {@code resolve} threw); at once with a
     * {@link RejectedExecutionException} when the JVM is stopping. Completed or cancelled before a
     * thread takes the lookup up (its caller gave up meanwhile), the lookup is not made. Nothing
     * bounds its time: a caller that must not wait for ever keeps its own bound.
     *
     * @param resolve how the name becomes addresses
     * @param host    a host name (an IP literal is the caller's to take as it is)
     * @return the addresses, once found
     */
    public static CompletableFuture<InetAddress[]> lookUp(Resolve resolve, String host) {
        requireNonNull(resolve, "resolve");
        requireNonNull(host, "host");
        CompletableFuture<InetAddress[]> found = new CompletableFuture<>();
        try {
            LOOKUPS.execute(() -> {
                if (found.isDone()) {
                    return; // given up while it waited for a thread
                }
                try {
                    InetAddress[] all = resolve.all(host);
                    if (all == null || all.length == 0) {
                        throw new UnknownHostException(host);
                    }
                    found.complete(all);
                } catch (UnknownHostException | RuntimeException e) {
                    found.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            found.completeExceptionally(e); // the JVM is stopping
        }
        return found;
    }
}
