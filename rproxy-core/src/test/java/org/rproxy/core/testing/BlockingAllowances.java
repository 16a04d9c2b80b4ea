package org.rproxy.core.testing;

import reactor.blockhound.BlockHound;

/**
 * How {@link BlockingGuard} installs BlockHound: the integrations on the class path (Netty's,
 * which marks every Netty thread that does not permit blocking calls as non-blocking, event loops
 * included, and allows Netty's own bounded calls), every blocking call recorded instead of thrown,
 * a few more calls counted as blocking than BlockHound knows, and the calls the project accepts on
 * such a thread, each allowed as narrowly as it can be (one method) and each with the reason it is
 * bounded.
 */
final class BlockingAllowances {

    private static final String LOOKUP = "(Ljava/lang/String;)[Ljava/net/InetAddress;";

    static void install() {
        BlockHound.Builder builder = BlockHound.builder().loadIntegrations();
        builder.blockingMethodCallback(method -> BlockingGuard.record(method.toString()));

        // Blocking, though BlockHound does not count them: a DNS lookup (of a name, not an address
        // literal) waits for the resolver; opening, examining, listing, creating, renaming or
        // deleting a file through java.nio.file, a positional read or write of a FileChannel, and
        // an fsync wait for the disk. (Not FileChannel.transferTo: that is how the front end sends
        // a spooled body on NIO, the kernel copying page cache to a socket that is non-blocking.)
        builder.markAsBlocking("java.net.Inet4AddressImpl", "lookupAllHostAddr", LOOKUP);
        builder.markAsBlocking("java.net.Inet6AddressImpl", "lookupAllHostAddr", LOOKUP);
        String fs = "sun.nio.fs.UnixNativeDispatcher";
        builder.markAsBlocking(fs, "open0", "(JII)I");
        builder.markAsBlocking(fs, "stat0", "(JLsun/nio/fs/UnixFileAttributes;)V");
        builder.markAsBlocking(fs, "stat1", "(J)I");
        builder.markAsBlocking(fs, "lstat0", "(JLsun/nio/fs/UnixFileAttributes;)V");
        builder.markAsBlocking(fs, "access0", "(JI)V");
        builder.markAsBlocking(fs, "exists0", "(J)Z");
        builder.markAsBlocking(fs, "opendir0", "(J)J");
        builder.markAsBlocking(fs, "unlink0", "(J)V");
        builder.markAsBlocking(fs, "rename0", "(JJ)V");
        builder.markAsBlocking(fs, "mkdir0", "(JI)V");
        builder.markAsBlocking(fs, "rmdir0", "(J)V");
        String file = "sun.nio.ch.FileDispatcherImpl";
        builder.markAsBlocking(file, "pread0", "(Ljava/io/FileDescriptor;JIJ)I");
        builder.markAsBlocking(file, "pwrite0", "(Ljava/io/FileDescriptor;JIJ)I");
        builder.markAsBlocking(file, "force0", "(Ljava/io/FileDescriptor;Z)I");

        // Accepted. FixedChannelPool.closeAsync() closes the pooled connections on Netty's
        // GlobalEventExecutor (a Netty utility thread, no event loop serving a connection), waiting
        // for each close there so that no event loop waits: the wait is for a local close on the
        // connection's own event loop, no network round trip. UpstreamClient.close() uses it.
        builder.allowBlockingCallsInside("io.netty.channel.pool.FixedChannelPool$5", "call");

        // Accepted. Netty's adaptive allocator, when threads collide on a size class's magazines,
        // grows their array and frees each magazine it retires, taking that magazine's allocation
        // lock: held by another thread only while it allocates one buffer from it, no I/O. Netty's
        // own integration (4.2) lists only the allocator's thread-local set-up, so a front end with
        // event loops of several servers allocating at once (test classes whose cases run
        // concurrently, on NIO) was failed for it.
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
                "tryExpandMagazines");

        // Accepted. Handing a task to a pool (an event loop giving a query to the query pool, a
        // fetch's result to the pull feed's work pool, a refresh to a scheduler) takes the queue's
        // lock, held by the other side only to add or take one element: a wait, when there is one,
        // of a few instructions (Netty's integration allows its own event loops' addTask alike).
        // Never a wait for room: the pools here reject when full (AbortPolicy) or are unbounded,
        // and none runs a rejected task on the caller (no CallerRunsPolicy).
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "execute");
        builder.allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor", "delayedExecute");

        // Accepted. A log line written by Logback's console appender (a warning or an error, the
        // front end's rate-limited): one line to stdout or stderr under the appender's lock, a
        // pipe the service manager drains. The access log, the one logger an event loop writes
        // per request, goes through an AsyncAppender that drops lines rather than wait
        // (neverBlock, conf/logback.xml). Under Surefire, whose buffered stdout writes inline when
        // its buffer is full, this is also the test's own output.
        builder.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes");
        builder.install();
    }

    private BlockingAllowances() {
    }
}
