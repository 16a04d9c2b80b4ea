package org.rproxy.core.server;

import java.util.Locale;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket transport every TCP node of the process uses: Netty's native epoll transport where
 * it loads (Linux on x86-64), else Java NIO. Native epoll is edge-triggered, sends a spooled body
 * with {@code sendfile} straight from the file descriptor and skips NIO's selector bookkeeping,
 * which is fewer system calls and context switches per response; both give the same behaviour.
 *
 * <p>The system property {@code rproxy.transport} ({@code epoll} or {@code nio}, default
 * {@code auto}) forces one; {@code epoll} where it cannot load fails with the reason.
 */
public enum Transport {
    EPOLL,
    NIO;

    /** The system property that chooses the transport. */
    public static final String PROPERTY = "rproxy.transport";

    private static final Transport CURRENT = choose(System.getProperty(PROPERTY, "auto"));

    /** The transport of this process, chosen once. */
    public static Transport current() {
        return CURRENT;
    }

    static Transport choose(String wanted) {
        switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return Epoll.isAvailable() ? EPOLL : NIO;
            case "nio":
                return NIO;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException(PROPERTY + "=epoll: the native transport does not load here: "
                            + Epoll.unavailabilityCause());
                }
                return EPOLL;
            default:
                throw new IllegalArgumentException(PROPERTY + "=" + wanted + " (expected: auto, epoll or nio)");
        }
    }

    /** The event loops' I/O handler (epoll's with {@link EpollInterest}'s workaround). */
    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollInterest.keptIn(EpollIoHandler.newFactory()) : NioIoHandler.newFactory();
    }

    /** The listening socket's channel class. */
    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** A client connection's channel class. */
    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
