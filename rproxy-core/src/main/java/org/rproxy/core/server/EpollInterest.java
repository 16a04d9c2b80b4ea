package org.rproxy.core.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's epoll I/O handler with every registered descriptor kept in the epoll set for as long
 * as its channel is registered, working around a Netty 4.2 defect (seen in 4.2.18 to 4.2.21).
 *
 * <p>When a channel asks for no event at all, Netty's registration takes its descriptor out of
 * the epoll set ({@code EPOLL_CTL_DEL}) but goes on believing it is in, so the channel's next
 * request ({@code EPOLL_CTL_MOD}) fails with {@code ENOENT}. A connection asks for nothing once
 * the client has closed its side (half-close: no more reading) and the socket has taken all that
 * was written, or the write loop has yielded; its next full socket then asks to hear of room
 * ({@code EPOLLOUT}), that request fails, and Netty, taking the failure for one of its own
 * output, shuts the output down: the client reads a clean end of stream in the middle of its
 * answer, and nothing is logged. Here "nothing" is asked as {@code EPOLLERR}, which epoll
 * reports whether asked or not, so the descriptor never leaves the set and nothing else changes
 * (Netty's handler before 4.2 kept every descriptor registered with {@code EPOLLERR}).
 * Everything else is the wrapped handler's. Used by {@link Transport#EPOLL}.
 */
final class EpollInterest implements IoHandler {

    private final IoHandler handler;

    private EpollInterest(IoHandler handler) {
        this.handler = handler;
    }

    /** {@code factory}'s handlers, each with its registrations kept in the epoll set. */
    static IoHandlerFactory keptIn(IoHandlerFactory factory) {
        requireNonNull(factory, "factory");
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new EpollInterest(factory.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return factory.isChangingThreadSupported();
            }
        };
    }

    @Override
    public void initialize() {
        handler.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return handler.run(context);
    }

    @Override
    public void prepareToDestroy() {
        handler.prepareToDestroy();
    }

    @Override
    public void destroy() {
        handler.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Kept(handler.register(handle));
    }

    @Override
    public void wakeup() {
        handler.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return handler.isCompatible(handleType);
    }

    /** A registration that asks for {@code EPOLLERR} where its channel asks for nothing. */
    private static final class Kept implements IoRegistration {
        private final IoRegistration registration;

        Kept(IoRegistration registration) {
            this.registration = registration;
        }

        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (ops instanceof EpollIoOps epoll && epoll.value() == EpollIoOps.NONE.value()) {
                return registration.submit(EpollIoOps.EPOLLERR);
            }
            return registration.submit(ops);
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}
