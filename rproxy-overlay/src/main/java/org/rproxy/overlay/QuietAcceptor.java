package org.rproxy.overlay;

import java.net.InetSocketAddress;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import bt.module.PeerConnectionSelector;
import bt.net.ConnectionRoutine;
import bt.net.IPeerConnectionFactory;
import bt.net.SharedSelector;
import bt.net.SocketChannelConnectionAcceptor;
import bt.runtime.Config;

/**
 * bt 1.10's listener for incoming peer connections, ending quietly when the runtime stops. bt
 * stops its acceptor thread by interrupting it, blocked in {@code accept}; the JDK then closes
 * the listening channel, bt's acceptor turns that into a {@code RuntimeException} ("Incoming
 * channel @ ... has been closed, will stop accepting incoming connections"), and its
 * {@code IncomingConnectionListener} logs it at ERROR with a stack trace, at every stop of every
 * peer. An application that embeds a peer would get that line in its own logs, which a filter
 * in rproxy's logging configuration cannot reach. Here the acceptor, interrupted, gives bt's
 * loop no connection (null) instead, once: the loop, whose stop flag bt set before the interrupt,
 * ends without a word (what it does with the null fails inside a task whose failure bt never
 * reads). Any other failure, and a second one, is thrown as before, so an acceptor that fails for
 * another reason still says so, once. Runs on bt's acceptor thread.
 */
final class QuietAcceptor extends SocketChannelConnectionAcceptor {
    /** Whether the stop was taken quietly already (the acceptor thread's own). */
    private boolean stopped;

    private QuietAcceptor(SharedSelector selector, IPeerConnectionFactory factory, InetSocketAddress address) {
        super(selector, factory, address);
    }

    @Override
    public ConnectionRoutine accept() {
        try {
            return super.accept();
        } catch (RuntimeException e) {
            if (stopped || !Thread.currentThread().isInterrupted()) {
                throw e;
            }
            stopped = true;
            return null;
        }
    }

    /** A bt runtime module that puts this acceptor in place of bt's own, on the configured address and port. */
    static Module module() {
        return new AbstractModule() {
            @Provides
            @Singleton
            SocketChannelConnectionAcceptor acceptor(@PeerConnectionSelector SharedSelector selector,
                                                     IPeerConnectionFactory factory, Config config) {
                return new QuietAcceptor(selector, factory,
                        new InetSocketAddress(config.getAcceptorAddress(), config.getAcceptorPort()));
            }
        };
    }
}
