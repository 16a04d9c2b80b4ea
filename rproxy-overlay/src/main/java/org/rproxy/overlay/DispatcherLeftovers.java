package org.rproxy.overlay;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import bt.metainfo.TorrentId;
import bt.net.ConnectionKey;
import bt.net.IMessageDispatcher;
import bt.net.InetPeer;
import bt.net.MessageDispatcher;
import bt.protocol.Message;
import bt.runtime.BtRuntime;
import bt.torrent.TorrentRegistry;

/**
 * What bt 1.10's message dispatcher keeps of a torrent that stopped, and its removal once the
 * torrent stopped, and again before it starts again. The dispatcher holds, per torrent and
 * connection key (peer address, port, torrent), the message consumers and suppliers of the
 * torrent's worker, and never removes them (bt's sources drop them after 1.10). A torrent fetched
 * again from the same peer gets the same key, so the stopped worker's consumers and suppliers
 * serve the new connection too: the
 * dispatcher reads the connection through them before the new worker is attached (the peer's
 * extended handshake is lost, and the metadata never asked for), and a stopped worker that missed
 * the disconnect (bt reports it after the torrent's stop, when the stop has dropped the torrent's
 * listeners) takes the new piece as unexpected and disposes of its buffer, or sends its own
 * messages. Either way the fetch gets nothing until its budget runs out.
 *
 * <p>Left there, they are also kept for good: a node that fetches or seeds many versions, each
 * dropped in turn, would hold the consumers and suppliers of every one it ever ran, and bt's
 * dispatching loop would walk them all. So a torrent dropped has them removed as soon as bt
 * no longer takes it for active ({@link #dropStopped}). bt's dispatching loop fails for good
 * (and with it every transfer of the runtime) on a torrent whose map of connections is missing,
 * or empties, while the torrent is active: it checks that the torrent is active, then looks its
 * map up again, and does not survive finding none. So only an inactive torrent's map is emptied,
 * never removed (the loop removes an empty map itself, under the lock, before it checks), and a
 * torrent about to start gets one entry for a key no connection has (port 0), whose consumer and
 * supplier do nothing, in place of whatever its previous run left ({@link #forget}). Read from
 * the fields bt 1.10 keeps them in; a version without them fails the swarm's start. Thread-safe
 * (under the dispatcher's own lock).
 */
final class DispatcherLeftovers {
    private final Map<TorrentId, Map<ConnectionKey, Collection<Consumer<Message>>>> consumers;
    private final Map<TorrentId, Map<ConnectionKey, Collection<Supplier<Message>>>> suppliers;
    private final Object lock;
    private final TorrentRegistry registry;

    private DispatcherLeftovers(Map<TorrentId, Map<ConnectionKey, Collection<Consumer<Message>>>> consumers,
                                Map<TorrentId, Map<ConnectionKey, Collection<Supplier<Message>>>> suppliers, Object lock,
                                TorrentRegistry registry) {
        this.consumers = consumers;
        this.suppliers = suppliers;
        this.lock = lock;
        this.registry = registry;
    }

    /** The leftovers of {@code runtime}'s dispatcher; throws {@link IllegalStateException} when bt keeps them elsewhere. */
    static DispatcherLeftovers of(BtRuntime runtime) {
        IMessageDispatcher dispatcher = runtime.service(IMessageDispatcher.class);
        if (!(dispatcher instanceof MessageDispatcher)) {
            throw new IllegalStateException("bt's message dispatcher is a " + dispatcher.getClass().getName()
                    + ", not bt 1.10's MessageDispatcher (another bt version?)");
        }
        return new DispatcherLeftovers(field(dispatcher, "consumers"), field(dispatcher, "suppliers"),
                field(dispatcher, "modificationLock"), runtime.service(TorrentRegistry.class));
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object dispatcher, String name) {
        try {
            Field f = MessageDispatcher.class.getDeclaredField(name);
            f.setAccessible(true);
            return (T) Objects.requireNonNull(f.get(dispatcher), name);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("bt's MessageDispatcher has no " + name + " (another bt version?): " + e, e);
        }
    }

    /**
     * Replaces the consumers and suppliers the dispatcher still holds for the connections of the
     * torrent {@code id} (a torrent that ran in this runtime and stopped) by the idle entry, which
     * it also gets when it holds none. Call before the torrent starts (again).
     */
    void forget(TorrentId id) {
        ConnectionKey none = new ConnectionKey(InetPeer.build(InetAddress.getLoopbackAddress(), 0), 0, id);
        synchronized (lock) {
            replace(consumers.computeIfAbsent(id, k -> new ConcurrentHashMap<>()), none, m -> { });
            replace(suppliers.computeIfAbsent(id, k -> new ConcurrentHashMap<>()), none, () -> null);
        }
    }

    /**
     * Removes the consumers and suppliers the dispatcher holds for the connections of the torrent
     * {@code id}, unless bt takes it for active (started again, or not stopped yet: then they are
     * in use); the torrent's emptied maps go with the dispatching loop's next pass. Call once the
     * torrent is stopped, and again once bt reports it stopped (a connection it was setting up
     * may have added its worker's meanwhile).
     */
    void dropStopped(TorrentId id) {
        synchronized (lock) {
            if (registry.isSupportedAndActive(id)) {
                return;
            }
            // emptied, not removed: the loop may have found the torrent active a moment ago, and
            // looks its map up again next (a map it finds missing ends the loop for good)
            clear(consumers.get(id));
            clear(suppliers.get(id));
        }
    }

    private static void clear(Map<ConnectionKey, ?> byConnection) {
        if (byConnection != null) {
            byConnection.clear();
        }
    }

    /** Leaves {@code byConnection} holding only {@code none}, with {@code idle}. */
    private static <T> void replace(Map<ConnectionKey, Collection<T>> byConnection, ConnectionKey none, T idle) {
        Set<T> only = ConcurrentHashMap.newKeySet();
        only.add(idle);
        byConnection.put(none, only);
        byConnection.keySet().removeIf(k -> !k.equals(none));
    }
}
