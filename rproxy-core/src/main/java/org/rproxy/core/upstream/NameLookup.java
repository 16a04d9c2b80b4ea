package org.rproxy.core.upstream;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import org.rproxy.core.net.NameLookups;

/**
 * Looks up an upstream's host name off the event loops: a name lookup
 * ({@link InetAddress#getAllByName}) may block for seconds (a slow resolver, an unreadable hosts
 * file), and on an event loop it would stall every exchange of that loop, their deadline timers
 * included. Netty's default resolver does exactly that on the loop that connects, so the
 * upstream client ({@link #group}) and the push feed's stream connection ({@link #resolve}) use
 * this instead. A lookup runs on one of the JVM's few lookup threads ({@link NameLookups}, which
 * the client library's lookups share) and completes its promise on the asking loop; one that has
 * not ended within its bound fails there (an {@link UnknownHostException} naming the host and the
 * bound), whatever the lookup thread still waits for, and one given up before a thread took it is
 * not made. An IP literal needs no lookup and is taken as it is, on the loop. Nothing is kept:
 * each connection looks its host up again (the JDK's own cache aside), so a proxy follows its
 * upstream's name as it changes.
 *
 * <p>Thread-safe; nothing here blocks the caller.
 */
public final class NameLookup {
    /** Lookups by the JDK's resolver ({@link InetAddress#getAllByName}). */
    public static final NameLookup SYSTEM = new NameLookup(NameLookups.SYSTEM);

    private final NameLookups.Resolve resolve;

    /** Lookups by {@code resolve}, run off the event loops as the JDK's are (tests block them). */
    public NameLookup(NameLookups.Resolve resolve) {
        this.resolve = requireNonNull(resolve, "resolve");
    }

    /**
     * The first address of {@code host} with {@code port}, its promise completed on {@code loop}:
     * failed when the host has no address, or when the lookup has not ended within {@code bound}.
     */
    public Future<InetSocketAddress> resolve(EventExecutor loop, String host, int port, Duration bound) {
        Promise<InetSocketAddress> promise = loop.newPromise();
        lookup(loop, host, bound, promise, all -> new InetSocketAddress(all[0], port));
        return promise;
    }

    /**
     * A resolver group for a {@link io.netty.bootstrap.Bootstrap} ({@code .resolver(...)}): every
     * connection it makes to an unresolved address looks it up here, within {@code bound}.
     */
    public AddressResolverGroup<InetSocketAddress> group(Duration bound) {
        requireNonNull(bound, "bound");
        return new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
                return new Resolver(loop, bound);
            }
        };
    }

    /** What a lookup's addresses become. */
    private interface Result<T> {
        T of(InetAddress[] all);
    }

    private <T> void lookup(EventExecutor loop, String host, Duration bound, Promise<T> promise, Result<T> result) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            try {
                promise.trySuccess(result.of(new InetAddress[] {InetAddress.getByAddress(host, literal)}));
            } catch (UnknownHostException e) {
                promise.tryFailure(e); // not reached: the literal has a valid length
            }
            return;
        }
        try {
            ScheduledFuture<?> giveUp = loop.schedule(() -> promise.tryFailure(new TimedOut(host, bound)),
                    bound.toNanos(), TimeUnit.NANOSECONDS);
            promise.addListener(f -> giveUp.cancel(false));
        } catch (RejectedExecutionException e) {
            promise.tryFailure(e); // the loop is stopping
            return;
        }
        CompletableFuture<InetAddress[]> found = NameLookups.lookUp(resolve, host);
        promise.addListener(f -> found.cancel(false)); // given up: not looked up if it still waits for a thread
        found.whenComplete((all, e) -> {
            if (e == null) {
                promise.trySuccess(result.of(all));
            } else {
                promise.tryFailure(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            }
        });
    }

    /** A lookup that had not ended within its bound (whatever it would have found). */
    public static final class TimedOut extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        TimedOut(String host, Duration bound) {
            super("no address for " + host + " within " + bound.toMillis() + " ms (its name lookup has not ended)");
        }
    }

    /** One event loop's resolver of the {@link #group}. */
    private final class Resolver extends AbstractAddressResolver<InetSocketAddress> {
        private final Duration bound;

        Resolver(EventExecutor loop, Duration bound) {
            super(loop, InetSocketAddress.class);
            this.bound = bound;
        }

        @Override
        protected boolean doIsResolved(InetSocketAddress address) {
            return !address.isUnresolved();
        }

        @Override
        protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
            lookup(executor(), unresolved.getHostString(), bound, promise,
                    all -> new InetSocketAddress(all[0], unresolved.getPort()));
        }

        @Override
        protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
            lookup(executor(), unresolved.getHostString(), bound, promise, all -> {
                List<InetSocketAddress> addresses = new ArrayList<>(all.length);
                Arrays.stream(all).forEach(a -> addresses.add(new InetSocketAddress(a, unresolved.getPort())));
                return addresses;
            });
        }
    }
}
