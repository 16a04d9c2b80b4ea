package org.rproxy.core.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;

import org.rproxy.core.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain of a stop ({@link AltoHttpServer#close}): tells every open connection to finish
 * ({@link Drain#DRAIN}), waits up to the drain timeout for them to close, and cuts what is still
 * open then, with a warning that says how many. A cut closes at once: the stop takes the drain it
 * was given and no more. Runs on the stopping thread.
 */
final class StopDrain {

    private static final Logger LOG = LoggerFactory.getLogger(AltoHttpServer.class);

    private StopDrain() {
    }

    /** Drains {@code connections} for up to {@code timeout}, then cuts those left; {@code address} names the listener in the warning. */
    static void run(ChannelGroup connections, Duration timeout, InetSocketAddress address) {
        connections.forEach(c -> c.pipeline().fireUserEventTriggered(Drain.DRAIN));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Channel c : connections) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !c.closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left))) {
                break;
            }
        }
        int cut = (int) connections.stream().filter(Channel::isOpen).count();
        if (cut > 0) {
            LOG.warn("{} connection{} still answering after the {} drain on {}: cut", cut, cut == 1 ? "" : "s",
                    Durations.format(timeout), address);
            connections.forEach(StopDrain::cut);
        }
    }

    /**
     * Closes {@code c} at once, from the front of its pipeline: a close from its end passes
     * handlers that would wait again, the HTTP/2 codec for its streams (its own grace, which is the
     * drain: a stop took up to twice the drain) and TLS for its {@code close_notify} to be flushed
     * to a client that may not read. The drain has given them their time.
     */
    private static void cut(Channel c) {
        ChannelHandlerContext first = c.pipeline().firstContext();
        if (first != null) {
            first.close();
        } else {
            c.close();
        }
    }
}
