package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import bt.Bt;
import bt.data.file.FileSystemStorage;
import bt.metainfo.MetadataService;
import bt.metainfo.TorrentId;
import bt.net.IPeerConnectionPool;
import bt.net.PeerConnection;
import bt.metainfo.Torrent;
import bt.module.ServiceModule;
import bt.runtime.BtClient;
import bt.runtime.BtRuntime;
import bt.runtime.Config;
import bt.torrent.maker.TorrentBuilder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BitTorrent side of one overlay node, run by bt: makes a torrent of a file, seeds it, and
 * fetches a torrent by infohash alone (BEP 9 metadata from the peers, then the pieces, each
 * checked against its SHA-1). Peers are found through the node's {@link DhtNode}; the listener
 * is bound to the configured address, and local service discovery (multicast), peer exchange
 * and Message Stream Encryption are off (see the README's overlay section for what bt 1.10 does
 * with many seeders otherwise). Every torrent lives in its own folder named by its infohash;
 * the folders a previous run left are deleted at start.
 *
 * <p>bt runs its own threads; {@link #fetch} completes on them. Thread-safe.
 */
final class Swarm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Swarm.class);
    private final BtRuntime runtime;
    private final DhtNode dht;
    private final int port;
    private final Path root;
    private final Map<String, BtClient> clients = new ConcurrentHashMap<>();
    /** The torrents being fetched (by hex infohash): only these look for peers. */
    private final Map<String, CompletableFuture<byte[]>> fetching = new ConcurrentHashMap<>();
    /** The file of each torrent held whole (seeded, or fetched), by hex infohash. */
    private final Map<String, Path> whole = new ConcurrentHashMap<>();

    Swarm(InetAddress bind, int port, Path root, DhtNode dht) {
        this.dht = requireNonNull(dht, "dht");
        this.root = requireNonNull(root, "root");
        this.port = port;
        deleteLeftOvers(root);
        Config config = new Config();
        if (bind != null) {
            config.setAcceptorAddress(bind);
        }
        config.setAcceptorPort(port);
        config.setPeerDiscoveryInterval(Duration.ofSeconds(1));
        config.setPeerConnectionRetryInterval(Duration.ofSeconds(1));
        config.setNumOfHashingThreads(1);
        // bundles are small: small buffers per connection
        config.setNetworkBufferSize(64 * 1024);
        // no Message Stream Encryption: bundles are public and signed, so it hides nothing worth
        // hiding, and its Diffie-Hellman exchange costs CPU and a round trip per connection
        config.setMseDisabled(true);
        // a seeder that was not up yet (or restarted) is tried again soon, not after bt's 30 minutes
        config.setUnreachablePeerBanDuration(Duration.ofSeconds(10));
        config.setTimeoutedAssignmentPeerBanDuration(Duration.ofSeconds(5));
        // a publisher is the first seeder of every version: bt's default of 10 active connections
        // per torrent would queue a crowd of viewers behind one another
        config.setMaxConcurrentlyActivePeerConnectionsPerTorrent(64);
        // bt 1.10 runs the handshakes of incoming and outgoing connections on one pool (50 threads,
        // ConnectionSource and IncomingConnectionListener): a handshake that waits for a busy peer
        // holds a thread for the whole timeout (30 s by default), and peers that wait on each other
        // starve each other's pools; so fail such a handshake early and let it be tried again
        config.setPeerConnectionTimeout(Duration.ofSeconds(5));
        config.setMaxPendingConnectionRequests(16);
        config.setPeerHandshakeTimeout(Duration.ofSeconds(5));
        this.runtime = BtRuntime.builder(config)
                .module(binder -> ServiceModule.extend(binder).addPeerSourceFactory(
                        DhtPeerSource.factory(dht, t -> fetching.containsKey(HexFormat.of().formatHex(t.getBytes())))))
                .module(DirectSelector.module())
                .disableLocalServiceDiscovery()
                // no peer exchange (ut_pex): it has every seeder connect to every other seeder of
                // every torrent, connections that carry nothing and fill bt's connection pool; a
                // peer that fetches finds the seeders through the DHT
                .disablePeerExchange()
                .disableAutomaticShutdown()
                .build();
    }

    int port() {
        return port;
    }

    /**
     * Writes {@code bytes} as {@code name} in the folder of its torrent and seeds it (announcing
     * it in the DHT is the caller's next step, {@link OverlayNode#announce}).
     *
     * @return the infohash
     */
    byte[] seed(String name, byte[] bytes) {
        try {
            Path staging = Files.createTempDirectory(root, "new");
            Path file = staging.resolve(name);
            Files.write(file, bytes);
            byte[] metainfo = new TorrentBuilder().rootPath(staging).addFile(file).pieceSize(pieceSize(bytes.length))
                    .createdBy("rproxy").build();
            Torrent torrent = new MetadataService().fromByteArray(metainfo);
            byte[] infoHash = torrent.getTorrentId().getBytes();
            String hex = HexFormat.of().formatHex(infoHash);
            Path dir = root.resolve(hex);
            if (Files.isDirectory(dir)) {
                deleteTree(staging);
            } else {
                Files.move(staging, dir);
            }
            clients.computeIfAbsent(hex, h -> {
                BtClient c = Bt.client(runtime).storage(new FileSystemStorage(dir)).torrent(() -> torrent).build();
                c.startAsync();
                return c;
            });
            whole.put(hex, dir.resolve(name));
            return infoHash;
        } catch (IOException e) {
            throw new UncheckedIOException("seeding " + name + " under " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fetches the single-file torrent {@code infoHash} from its peers; completes with the file's
     * bytes, or exceptionally for a torrent of another shape, larger than {@code maxBytes}, or
     * whose file name is not one plain file name ({@link TorrentFiles}; only the file bt wrote in
     * the torrent's folder is read, never more than {@code maxBytes}); whatever goes wrong on
     * bt's threads completes it. A torrent this node holds whole (seeds) is read from disk, and
     * one being fetched already is not fetched twice. The torrent stays open (serving peers already connected) until
     * {@link #drop}ped.
     */
    CompletableFuture<byte[]> fetch(byte[] infoHash, long maxBytes) {
        String hex = HexFormat.of().formatHex(infoHash);
        Path held = whole.get(hex);
        if (held != null) {
            return CompletableFuture.supplyAsync(() -> read(held, maxBytes));
        }
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        CompletableFuture<byte[]> running = fetching.putIfAbsent(hex, done);
        if (running != null) {
            return running.copy();
        }
        log.debug("bt {}: fetching {}", port, hex);
        done.whenComplete((b, e) -> {
            fetching.remove(hex, done);
            log.debug("bt {}: {} {}", port, hex, e == null ? "fetched" : "not fetched: " + e);
        });
        Path dir = root.resolve(hex);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            done.completeExceptionally(e);
            return done;
        }
        BtClient c = Bt.client(runtime).storage(new FileSystemStorage(dir)).magnet("magnet:?xt=urn:btih:" + hex)
                .afterTorrentFetched(t -> completing(done, () -> {
                    String why = TorrentFiles.refusal(t, maxBytes);
                    if (why != null) {
                        done.completeExceptionally(new IOException("torrent " + hex + ": " + why));
                    }
                }))
                .afterDownloaded(t -> completing(done, () -> {
                    String why = TorrentFiles.refusal(t, maxBytes);
                    if (why != null) {
                        throw new IOException("torrent " + hex + ": " + why);
                    }
                    // the file bt wrote (and checked piece by piece), in this torrent's folder
                    Path file = TorrentFiles.fileIn(dir, t.getFiles().get(0).getPathElements().get(0));
                    byte[] bytes = TorrentFiles.read(file, maxBytes);
                    whole.put(hex, file);
                    done.complete(bytes);
                }))
                .build();
        BtClient before = clients.put(hex, c);
        if (before != null) {
            before.stop();
        }
        c.startAsync();
        return done;
    }

    private static byte[] read(Path file, long maxBytes) {
        try {
            return TorrentFiles.read(file, maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A step of bt's, on bt's thread: {@code done} completes exceptionally with whatever it throws, errors included. */
    private static void completing(CompletableFuture<byte[]> done, IoStep step) {
        try {
            step.run();
        } catch (Throwable e) {
            done.completeExceptionally(e);
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }
    }

    private interface IoStep {
        void run() throws IOException;
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

    /** Stops seeding {@code infoHash} and deletes its folder. */
    void drop(String hex) {
        whole.remove(hex);
        CompletableFuture<byte[]> running = fetching.remove(hex);
        if (running != null) {
            running.cancel(false);
        }
        BtClient c = clients.remove(hex);
        if (c != null) {
            c.stop();
            // bt 1.10 keeps a stopped torrent's connections in its pool (idle, never read again)
            // and hands them out when the same torrent is started again, which then fetches
            // nothing: close them, so that a later fetch of it connects afresh
            runtime.service(IPeerConnectionPool.class)
                    .visitConnections(TorrentId.fromBytes(HexFormat.of().parseHex(hex)), PeerConnection::closeQuietly);
        }
        deleteTree(root.resolve(hex));
    }

    private static int pieceSize(int length) {
        // bt needs a power of two of at least 16 KiB; about 64 pieces keeps small bundles in one or a few
        int size = 16 * 1024;
        while (size < 4 * 1024 * 1024 && (long) size * 64 < length) {
            size <<= 1;
        }
        return size;
    }

    /**
     * Deletes what a previous run left in {@code root}: the folder of every torrent (named by its
     * infohash) and every staging folder ({@code new...}). A node seeds nothing when it starts:
     * a publisher seeds again what it publishes, a client keeps nothing across runs.
     */
    private static void deleteLeftOvers(Path root) {
        try (var folders = Files.list(root)) {
            folders.filter(f -> Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(f -> f.getFileName().toString().matches("[0-9a-f]{40}|new.*"))
                    .forEach(f -> {
                        log.debug("bt {}: deleting {}, left by a previous run", root, f.getFileName());
                        deleteTree(f);
                    });
        } catch (IOException | UncheckedIOException e) {
            log.warn("overlay: cannot list {} to delete what a previous run left: {}", root, e.toString());
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // already gone, or gone in part: nothing to keep in either case
        }
    }

    @Override
    public void close() {
        clients.values().forEach(BtClient::stop);
        clients.clear();
        runtime.shutdown();
    }
}
