package org.rproxy.harness;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.RankedEndpoint;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.overlay.OverlayClient;
import org.rproxy.overlay.OverlayConfig;
import org.rproxy.overlay.OverlayPublisher;
import org.rproxy.push.PushFeed;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * The body of {@link OverlayViewerAppIT}: a P2P app's viewer peer written from docs/overlay.md and
 * the client guide alone, in a network namespace of its own. The vendor's origin and its
 * publishing RProxy (a push feed offering what it verified to an {@link OverlayPublisher}) run
 * beside it; the viewer is told an origin URL nothing answers (the origin is away for viewers,
 * and so is the one proxy the directory lists), so it starts from the directory its publisher
 * put into the overlay, has its maps from the overlay, ranks its swarm's peers, follows a change
 * of the cost map the publisher publishes, and leaves: no thread of the overlay or the client, no
 * port, no torrent file behind.
 */
final class OverlayViewerRun {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String ME = "128.36.1.5"; // PID1 in the sample maps
    private static final List<String> PEERS = List.of("130.132.3.9", "10.0.0.1", "128.36.1.77");
    static final String PUBLISHER_IP = "100.64.0.1";
    static final String VIEWER_IP = "100.64.0.2";
    /** A supernode the vendor runs: a peer of its own, so that the publisher's pointers have DHT nodes to land on. */
    static final String SUPERNODE_IP = "100.64.0.3";

    private OverlayViewerRun() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path dhtKey = dir.resolve("dht.key");
        PrivateKeyFiles.write(dhtKey, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        try (OverlayClient supernode = OverlayClient.start(OverlayConfig.builder().bind(SUPERNODE_IP)
                .dhtPort(6881).btPort(6891).bootstrap(PUBLISHER_IP + ":6881").storage(dir.resolve("supernode")).build());
             OverlayPublisher rproxy = OverlayPublisher.start(OverlayConfig.builder().bind(PUBLISHER_IP)
                .dhtPort(6881).btPort(6891).bootstrap(SUPERNODE_IP + ":6881").key(dhtKey)
                .storage(dir.resolve("publisher")).build());
             UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps,
                     dir.resolve("origin.key"), Duration.ofHours(1), Duration.ofSeconds(60),
                     List.of("http://127.0.0.1:9/"), "vendor-origin", null)
                     .withOverlay(new OverlayInfo(OverlayInfo.BITTORRENT_DHT, List.of(PUBLISHER_IP + ":6881"),
                             List.of(rproxy.publicKey()), OverlayInfo.SALT_RESOURCE_ID)), Clock.systemUTC(), stream);
             PushFeed feed = PushFeed.start(PushFeedConfig.of(URI.create(origin.baseUri())),
                     new ResponseVerifier(List.of(key.publicKey()), Clock.systemUTC()), rproxy::offer)) {
            check(Proxies.await(() -> rproxy.published().keySet().containsAll(
                    List.of("directory", "default-network-map", "routingcost-map")), (int) WAIT.toSeconds()),
                    "the RProxy publishes the directory and the maps: " + rproxy.published());
            System.out.println("phase 1: published " + rproxy.published() + " following " + feed
                    + ", the supernode joined: " + supernode.joined().isDone());
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            OverlayConfig ran = viewer(dir, key.keyId(), rproxy.publicKey(), maps);
            check(Proxies.await(() -> viewerThreads(before).isEmpty(), 30), "the viewer's threads end: "
                    + viewerThreads(before));
            System.out.println("phase 5: no thread of the viewer left");
            leftNoPort(ran);
            try (Stream<Path> left = Files.walk(dir.resolve("viewer"))) {
                List<Path> files = left.filter(Files::isRegularFile).collect(Collectors.toList());
                System.out.println("phase 6: the viewer's storage after close: " + files);
            }
        }
        System.out.println("VIEWER-OK");
        System.exit(0);
    }

    /** The viewer's life: what a vendor's app does, from the docs. */
    private static OverlayConfig viewer(Path dir, String keyId, String publisher, Path maps) throws Exception {
        Files.createDirectories(dir.resolve("viewer"));
        OverlayConfig config = OverlayConfig.builder()
                .bind(VIEWER_IP)
                .dhtPort(0).btPort(0)           // any free ports
                .bootstrap(PUBLISHER_IP + ":6881", SUPERNODE_IP + ":6881")
                .publishers(publisher)
                .storage(dir.resolve("viewer/overlay"))
                .seeding(true)
                .budget(Duration.ofSeconds(60))
                .build();
        ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:9"), KeyPin.ofKeyId(keyId))
                .withClientAddress(ME).withStateFile(dir.resolve("viewer/alto.state"))
                .withPollInterval(Duration.ofSeconds(5));
        ViewerAppIT.Viewer listener = new ViewerAppIT.Viewer();
        long t0 = System.nanoTime();
        OverlayConfig ran;
        try (OverlayClient overlay = OverlayClient.start(config);
             AltoClient alto = AltoClient.bootstrap(options, overlay)) {
            ran = overlay.config();
            System.out.printf("phase 2: bootstrapped from the overlay in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            LocalAnswers answers = alto.refreshMaps();
            VerifiedDocument nm = alto.fetch(alto.mapTargets().get(0));
            check("magnet".equals(nm.source().getScheme()), "the network map from the overlay: " + nm.source()
                    + " refused " + nm.refused());
            List<RankedEndpoint> best = answers.rank(ME, PEERS);
            check("128.36.1.77".equals(PEERS.get(best.get(0).index())), "a peer in my own PID first: " + best);
            System.out.println("phase 3: maps from the overlay, peers ranked " + best);
            alto.follow(listener);
            PushTree.writeRoutingCost(maps, 3);
            LocalAnswers changed = listener.awaitCost(3);
            check("130.132.3.9".equals(PEERS.get(changed.rank(ME, PEERS).get(1).index())), "ranked anew");
            System.out.println("phase 4: the change followed through the overlay; refused meanwhile: "
                    + listener.refused.stream().map(ClientException::getMessage).collect(Collectors.toList()));
            t0 = System.nanoTime();
        }
        System.out.printf("closed in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        return ran;
    }

    /** The threads started since {@code before} alive now, but for those of the vendor's nodes' bt (their pools grow). */
    private static List<String> viewerThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName).filter(n -> !n.startsWith("6891.")).sorted().collect(Collectors.toList());
    }

    /** The viewer's DHT (UDP) and BitTorrent (TCP) ports can be taken again once it closed. */
    private static void leftNoPort(OverlayConfig ran) throws Exception {
        InetAddress at = InetAddress.getByName(VIEWER_IP);
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(at, ran.dhtPort()));
             ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(at, ran.btPort()));
            check(udp.isBound() && tcp.isBound(), "bound");
        }
        System.out.println("phase 5b: the viewer's ports " + ran.dhtPort() + " (UDP) and " + ran.btPort() + " (TCP) are free");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
