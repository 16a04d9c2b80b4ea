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

/**
 * What bt 1.10's message dispatcher keeps of a torrent that stopped, and its removal before the
 * torrent starts again. The dispatcher holds, per torrent and connection key (peer address, port,
 * torrent), the message consumers and suppliers of the torrent's worker, and never removes them
 * (bt's sources drop them after 1.10). A torrent fetched again from the same peer gets the same
 * key, so the stopped worker's consumers and suppliers serve the new connection too: the
 * dispatcher reads the connection through them before the new worker is attached (the peer's
 * extended handshake is lost, and the metadata never asked for), and a stopped worker that missed
 * the disconnect (bt reports it after the torrent's stop, when the stop has dropped the torrent's
 * listeners) takes the new piece as unexpected and disposes of its buffer, or sends its own
 * messages. Either way the fetch gets nothing until its budget runs out.
 *
 * <p>bt's dispatching loop fails (and with it every transfer of the runtime) on a torrent whose
 * map of connections empties while the torrent is active, so the stopped worker's entries are
 * replaced by one for a key no connection has (port 0), whose consumer and supplier do nothing.
 * Read from the fields bt 1.10 keeps them in; a version without them fails the swarm's start.
 * Thread-safe (under the dispatcher's own lock).
 */
final class DispatcherLeftovers {
    private final Map<TorrentId, Map<ConnectionKey, Collection<Consumer<Message>>>> consumers;
    private final Map<TorrentId, Map<ConnectionKey, Collection<Supplier<Message>>>> suppliers;
    private final Object lock;

    private DispatcherLeftovers(Map<TorrentId, Map<ConnectionKey, Collection<Consumer<Message>>>> consumers,
                                Map<TorrentId, Map<ConnectionKey, Collection<Supplier<Message>>>> suppliers, Object lock) {
        this.consumers = consumers;
        this.suppliers = suppliers;
        this.lock = lock;
    }

    /** The leftovers of {@code runtime}'s dispatcher; throws {@link IllegalStateException} when bt keeps them elsewhere. */
    static DispatcherLeftovers of(BtRuntime runtime) {
        IMessageDispatcher dispatcher = runtime.service(IMessageDispatcher.class);
        if (!(dispatcher instanceof MessageDispatcher)) {
            throw new IllegalStateException("bt's message dispatcher is a " + dispatcher.getClass().getName()
                    + ", not bt 1.10's MessageDispatcher (another bt version?)");
        }
        return new DispatcherLeftovers(field(dispatcher, "consumers"), field(dispatcher, "suppliers"),
                field(dispatcher, "modificationLock"));
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
     * Removes the consumers and suppliers the dispatcher still holds for the connections of the
     * torrent {@code id} (a torrent that ran in this runtime and stopped); nothing when it holds none.
     * Call before the torrent starts again.
     */
    void forget(TorrentId id) {
        ConnectionKey none = new ConnectionKey(InetPeer.build(InetAddress.getLoopbackAddress(), 0), 0, id);
        synchronized (lock) {
            replace(consumers.get(id), none, m -> { });
            replace(suppliers.get(id), none, () -> null);
        }
    }

    /** Leaves {@code byConnection} (null: nothing to do) holding only {@code none}, with {@code idle}. */
    private static <T> void replace(Map<ConnectionKey, Collection<T>> byConnection, ConnectionKey none, T idle) {
        if (byConnection == null) {
            return;
        }
        Set<T> only = ConcurrentHashMap.newKeySet();
        only.add(idle);
        byConnection.put(none, only);
        byConnection.keySet().removeIf(k -> !k.equals(none));
    }
}
