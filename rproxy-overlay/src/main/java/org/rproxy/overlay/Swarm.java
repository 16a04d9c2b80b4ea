package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import bt.Bt;
import bt.data.file.FileSystemStorage;
import bt.event.EventSource;
import bt.metainfo.TorrentId;
import bt.net.IPeerConnectionPool;
import bt.net.PeerConnection;
import bt.runtime.BtClient;
import bt.runtime.BtRuntime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BitTorrent side of one overlay node, run by bt: makes a torrent of a file, seeds it, and
 * fetches a torrent by infohash alone (BEP 9 metadata from the peers, then the pieces, each
 * checked against its SHA-1). Peers are found through the node's {@link DhtNode}; the listener
 * is bound to the configured address, and local service discovery (multicast), peer exchange
 * and Message Stream Encryption are off ({@link SwarmRuntime}; see docs/overlay.md
 * for what bt 1.10 does with many seeders otherwise). Every torrent lives in its own folder
 * named by its infohash; the folders a previous run left are deleted at start
 * ({@link TorrentFolders}).
 *
 * <p>A torrent {@link #drop}ped may be fetched again: bt 1.10 forgets a stopped torrent only when
 * its processing ends (within a second for one held whole, when bt reports it stopped), and a
 * torrent started again before that is refused by bt ("Torrent already registered") and fetches
 * nothing; so a fetch of a torrent being stopped starts once bt reports it stopped, and after
 * removing what bt's message dispatcher kept of the torrent's previous run, which would otherwise
 * serve the new connection to the same peer ({@link DispatcherLeftovers}; what the dispatcher
 * keeps of a torrent dropped is removed as soon as bt no longer takes it for active, fetched
 * again or not). bt never ends the processing of a torrent stopped before its metadata or its
 * last piece came; a fetch of such a one starts after {@link #STOP_WAIT} anyway, and fetches
 * nothing in this runtime. A torrent dropped before bt started it (just seeded) is stopped once
 * bt starts it ({@link TorrentStops}); bt would otherwise serve it for good.
 *
 * <p>Fetches run one at a time ({@link FetchTurns}: bt 1.10 files the blocks it receives by piece
 * index and offset alone, whatever the torrent, {@link ReceivedBlocks}), except past one that has
 * no metadata yet; the DHT lookup of a fetch's peers starts when it is asked for, so it runs
 * while the fetch waits ({@link PeerLookups}). Closing the swarm ends every fetch, those waiting
 * for their turn too.
 *
 * <p>bt runs its own threads; {@link #fetch} completes on them. Thread-safe.
 */
final class Swarm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Swarm.class);
    /** How long a fetch of a torrent dropped waits at most for bt to report it stopped. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private final BtRuntime runtime;
    private final DhtNode dht;
    private final int port;
    private final Path root;
    private final Map<String, BtClient> clients = new ConcurrentHashMap<>();
    /** The torrents being fetched (by hex infohash): only these look for peers. */
    private final Map<String, CompletableFuture<byte[]>> fetching = new ConcurrentHashMap<>();
    /** The file of each torrent held whole (seeded, or fetched), by hex infohash. */
    private final Map<String, Path> whole = new ConcurrentHashMap<>();
    /** The torrents dropped that bt has not reported stopped yet, by hex infohash. */
    private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();
    /** One fetch at a time (bt files received blocks by piece and offset alone, runtime-wide). */
    private final FetchTurns turns = new FetchTurns();
    /** What bt's message dispatcher keeps of a torrent's previous run, removed before it starts again. */
    private final DispatcherLeftovers leftovers;
    /** Where bt files the blocks it receives until a torrent's worker takes them. */
    private final ReceivedBlocks blocks = new ReceivedBlocks();
    /** What each fetch learns of its torrent's seeders: a fetch nobody can serve ends early. */
    private final SeederWatches watches = new SeederWatches();
    /** The DHT lookups of the peers of the torrents being fetched. */
    private final PeerLookups lookups;
    /** Guarded by this, with {@link #start}. */
    private boolean closed;

    Swarm(InetAddress bind, int port, Path root, DhtNode dht) {
        this.dht = requireNonNull(dht, "dht");
        this.root = requireNonNull(root, "root");
        this.port = port;
        TorrentFolders.deleteLeftOvers(root);
        this.lookups = new PeerLookups(dht, t -> fetching.containsKey(HexFormat.of().formatHex(t.getBytes())), watches,
                bind == null ? new InetSocketAddress(port) : new InetSocketAddress(bind, port));
        this.runtime = SwarmRuntime.build(bind, port, lookups, blocks, watches);
        try {
            this.leftovers = DispatcherLeftovers.of(runtime);
        } catch (IllegalStateException e) {
            runtime.shutdown();
            throw e;
        }
    }

    int port() {
        return port;
    }

    /**
     * Writes {@code bytes} as {@code name} in the folder of its torrent and seeds it (announcing
     * it in the DHT is the caller's next step, {@link OverlayNode#announce}). Refused once the
     * swarm is closed: bt would start its runtime's services again, threads no one stops.
     *
     * @return the infohash
     * @throws IllegalStateException when the swarm is closed
     */
    byte[] seed(String name, byte[] bytes) {
        TorrentFolders.Made made;
        try {
            made = TorrentFolders.make(root, name, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("seeding " + name + " under " + root + ": " + e.getMessage(), e);
        }
        byte[] infoHash = made.torrent().getTorrentId().getBytes();
        String hex = HexFormat.of().formatHex(infoHash);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("seeding " + name + ": the swarm is closed");
            }
            clients.computeIfAbsent(hex, h -> {
                BtClient c = Bt.client(runtime).storage(new FileSystemStorage(made.dir())).torrent(made::torrent).build();
                c.startAsync();
                return c;
            });
        }
        whole.put(hex, made.file());
        return infoHash;
    }

    /**
     * Fetches the single-file torrent {@code infoHash} from its peers; completes with the file's
     * bytes, or exceptionally for a torrent of another shape, larger than {@code maxBytes}, or
     * whose file name is not one plain file name ({@link TorrentFiles}; only the file bt wrote in
     * the torrent's folder is read, never more than {@code maxBytes}); whatever goes wrong on
     * bt's threads completes it, and so does {@link NobodySeeds} once the DHT and bt show that
     * nobody serves the torrent ({@link SeederWatch}), well before a caller's deadline. A torrent
     * this node holds whole (seeds) is read from disk, one being fetched already is not fetched
     * twice, and one dropped is fetched once bt has let it go. The torrent stays open (serving
     * peers already connected) until {@link #drop}ped.
     */
    CompletableFuture<byte[]> fetch(byte[] infoHash, long maxBytes) {
        String hex = HexFormat.of().formatHex(infoHash);
        Path held = whole.get(hex);
        if (held != null) {
            CompletableFuture<byte[]> read = new CompletableFuture<>();
            CompletableFuture.runAsync(() -> BtSteps.completing(read, () -> read.complete(TorrentFiles.read(held, maxBytes))));
            return read;
        }
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        CompletableFuture<byte[]> running = fetching.putIfAbsent(hex, done);
        if (running != null) {
            return running.copy();
        }
        log.debug("bt {}: fetching {}", port, hex);
        TorrentId id = TorrentId.fromBytes(infoHash);
        watches.watch(id, hex, done);
        // its peers are looked up now, while it waits for its turn and bt's first poll
        lookups.prime(id);
        FetchTurns.Turn turn = turns.turn();
        done.whenComplete((b, e) -> {
            fetching.remove(hex, done);
            turn.end();
            log.debug("bt {}: {} {}", port, hex, e == null ? "fetched" : "not fetched: " + e);
        });
        turns.take(turn, () -> {
            CompletableFuture<Void> stopped = stopping.get(hex);
            if (stopped == null) {
                start(hex, done, maxBytes, turn);
            } else {
                log.debug("bt {}: {} dropped a moment ago: fetching it once bt has stopped it", port, hex);
                // not on the thread that reports the stop: bt forgets the torrent's own listeners
                // right after telling them, and the new fetch's connections register theirs
                stopped.whenCompleteAsync((v, e) -> start(hex, done, maxBytes, turn),
                        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
            }
        });
        return done;
    }

    /** Starts bt's fetch of {@code hex} for {@code done}, unless it completed (cancelled, or the swarm dropped it) meanwhile. */
    private synchronized void start(String hex, CompletableFuture<byte[]> done, long maxBytes, FetchTurns.Turn turn) {
        if (closed) {
            // a start put off until bt let the torrent go must not start the runtime again
            done.completeExceptionally(new IOException("torrent " + hex + ": the swarm is closed"));
        }
        if (done.isDone()) {
            return;
        }
        // a torrent fetched before in this runtime: its stopped worker must not serve the new connections
        leftovers.forget(TorrentId.fromBytes(HexFormat.of().parseHex(hex)));
        Path dir = root.resolve(hex);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            done.completeExceptionally(e);
            return;
        }
        // what bt reports of this run tells the fetch's seeder watch (bt forgot those of a run before)
        watches.listen(runtime.service(EventSource.class), TorrentId.fromBytes(HexFormat.of().parseHex(hex)));
        BtClient c = MagnetFetch.client(runtime, hex, dir, done, maxBytes, turn, file -> whole.put(hex, file));
        BtClient before = clients.put(hex, c);
        if (before != null) {
            before.stop();
        }
        c.startAsync();
    }

    /** How many peers this node is connected to for {@code infoHash} now. */
    int connectedPeers(byte[] infoHash) {
        int[] n = {0};
        runtime.service(IPeerConnectionPool.class).visitConnections(TorrentId.fromBytes(infoHash), c -> n[0]++);
        return n[0];
    }

    /**
     * Announces this node in the DHT as a seed of {@code infoHash}, which it holds whole, once;
     * completes with how many of the closest DHT nodes took the announcement. Announcements
     * expire: {@link OverlayNode#announce} keeps them alive.
     */
    CompletableFuture<Stored> announce(byte[] infoHash) {
        return dht.announce(infoHash, port);
    }

    /** Whether this node holds the torrent {@code infoHash} whole (seeded, or fetched), and serves it. */
    boolean holds(byte[] infoHash) {
        return whole.containsKey(HexFormat.of().formatHex(infoHash));
    }

    /** The torrents this node has open: seeded, or being fetched. */
    int torrents() {
        return clients.size();
    }

    /**
     * Stops seeding {@code hex} and deletes its folder; returns at once (a client calls it after
     * every fetch) with what completes when bt no longer serves it: bt serves new connections to
     * it until it reports it stopped (within a second for one held whole; {@link #STOP_WAIT} at most).
     */
    CompletableFuture<Void> drop(String hex) {
        whole.remove(hex);
        CompletableFuture<byte[]> running = fetching.remove(hex);
        if (running != null) {
            running.cancel(false);
        }
        BtClient c = clients.remove(hex);
        if (c != null) {
            TorrentId id = TorrentId.fromBytes(HexFormat.of().parseHex(hex));
            CompletableFuture<Void> stopped = TorrentStops.stopped(runtime, id)
                    .completeOnTimeout(null, STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            stopping.put(hex, stopped);
            stopped.whenComplete((v, e) -> {
                stopping.remove(hex, stopped);
                // what a connection being set up at the stop added meanwhile
                leftovers.dropStopped(id);
                // blocks that came after the torrent's last read (its connections are closed):
                // no worker takes them; with a fetch running, one of them could be its own
                if (fetching.isEmpty()) {
                    blocks.letGoOfAll();
                }
            });
            // bt loses a stop that comes before it started the torrent: stop it again once it does
            TorrentStops.stopWhenStarted(runtime, id, () -> clients.containsKey(hex));
            c.stop();
            // bt 1.10 keeps a stopped torrent's connections in its pool (idle, never read again)
            // and hands them out when the same torrent is started again, which then fetches
            // nothing: close them, so that a later fetch of it connects afresh
            runtime.service(IPeerConnectionPool.class).visitConnections(id, PeerConnection::closeQuietly);
            // and its dispatcher keeps the torrent's worker's consumers and suppliers for good
            leftovers.dropStopped(id);
        }
        TorrentFolders.deleteTree(root.resolve(hex));
        return stopping.getOrDefault(hex, CompletableFuture.completedFuture(null)).copy();
    }

    /**
     * Stops every torrent and the runtime; the fetches running, and those waiting for their turn,
     * complete exceptionally now ("the swarm closed"), not when their callers' deadlines pass.
     */
    @Override
    public synchronized void close() {
        closed = true;
        fetching.forEach((hex, done) -> done.completeExceptionally(new IOException("torrent " + hex + ": the swarm closed")));
        clients.values().forEach(BtClient::stop);
        clients.clear();
        runtime.shutdown();
    }
}
