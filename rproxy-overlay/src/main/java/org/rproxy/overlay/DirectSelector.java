package org.rproxy.overlay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import bt.module.PeerConnectionSelector;
import bt.net.SharedSelector;
import bt.service.IRuntimeLifecycleBinder;

/**
 * bt 1.10's peer-connection selector without its registration lock. bt's {@code SharedSelector}
 * holds a lock for the whole of every {@code select} (up to a second), and a thread that
 * registers a new connection spins on {@code tryLock}, waking the selector, until it wins the
 * lock between two selects; the selecting thread takes it straight back, so under CPU
 * starvation (a 200-peer swarm on two cores) every connection being set up holds a pool thread
 * spinning for seconds, and a crowd of fetchers at one seeder starves everything (the
 * {@code overlay} scenario's change: every transfer from the publisher ran out of its budget).
 * Since Java 11 a channel may be registered while a selection is in progress (it takes part in
 * the next one), so here a registration is made at once and the selector woken, and selects
 * take no lock. bt's own sources dropped the lock after 1.10 for the same reason ("Fix deadlock
 * in single CPU systems", bt pull request 252).
 *
 * <p>Used by bt's data-receiving thread (select) and its connection threads (register); as
 * thread-safe as the JDK selector it wraps.
 */
final class DirectSelector extends SharedSelector {
    private final Selector delegate;

    DirectSelector(Selector delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    @Override
    public int selectNow() throws IOException {
        return delegate.selectNow();
    }

    @Override
    public int select(long timeout) throws IOException {
        return delegate.select(timeout);
    }

    @Override
    public int select() throws IOException {
        return delegate.select();
    }

    @Override
    public void wakeupAndRegister(SelectableChannel channel, int ops, Object attachment) {
        try {
            channel.register(delegate, ops, attachment);
        } catch (ClosedChannelException e) {
            throw new IllegalStateException("Failed to register channel", e);
        }
        delegate.wakeup();
    }

    /** A bt runtime module that puts this selector in place of bt's own (closed when the runtime shuts down). */
    static Module module() {
        return new AbstractModule() {
            @Provides
            @Singleton
            @PeerConnectionSelector
            SharedSelector selector(IRuntimeLifecycleBinder lifecycle) {
                DirectSelector selector;
                try {
                    selector = new DirectSelector(Selector.open());
                } catch (IOException e) {
                    throw new UncheckedIOException("opening a selector for bt: " + e.getMessage(), e);
                }
                lifecycle.onShutdown("Shutdown selector", () -> {
                    try {
                        selector.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                return selector;
            }
        };
    }
}
