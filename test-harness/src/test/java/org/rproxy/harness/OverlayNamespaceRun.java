package org.rproxy.harness;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.Address;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.HeaderField;
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
 * The body of {@link OverlayNamespaceIT}, run in a child JVM inside a network namespace of its
 * own (mldht refuses loopback and private addresses, so the peers use 100.64.0.0/10 addresses on
 * the namespace's {@code lo}; nothing can leave it). One origin on 127.0.0.1 names three
 * publishers in its directory: the RProxy (a push feed following the origin, publishing into the
 * overlay, with no HTTP listener at all), one that serves a tampered cost map under a newer
 * pointer, and one that keeps pointing at the old cost map after it changed. Twenty
 * client peers fetch the network map and the cost map, seeding on what they took; at the end the
 * RProxy leaves and a newcomer fetches both maps from the peers. Each check throws an
 * AssertionError, so the exit status says whether everything held. Prints one line per phase.
 */
final class OverlayNamespaceRun {
    static final String NETWORK_MAP = "/networkmap/default-network-map";
    static final String COST_MAP = "/costmap/routingcost-map";
    static final String COST_MAP_ID = "routingcost-map";
    static final int PEERS = Math.min(200, Integer.getInteger("overlay.peers", 20));
    /** Whether the peers seed on what they took (the default); -Doverlay.seeding=false tries the other way. */
    static final boolean SEEDING = Boolean.parseBoolean(System.getProperty("overlay.seeding", "true"));
    /** The host of the peer that comes after the RProxy left. */
    private static final int LATE = 31;
    /**
     * A client's overlay budget: generous, as the run shares its machine (a few seconds suffice
     * on an idle one; with a load average near 100 on two cores a transfer took over a minute).
     */
    private static final Duration BUDGET = Duration.ofSeconds(180);
    /** The host of the first of the peers (up to 200 fit in the /24). */
    private static final int FIRST_PEER = 40;

    private OverlayNamespaceRun() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        // the test's own nodes seed the DHT: every node knows every other from the start
        List<Address> dhtNodes = new ArrayList<>();
        for (int host : hosts()) {
            dhtNodes.add(new Address(ip(host), 6881));
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            OverlayPublisher rproxy = publisher(dir, 1, dhtNodes, open);
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            rproxy.bindTo(meters);
            OverlayPublisher tamperer = publisher(dir, 2, dhtNodes, open);
            OverlayPublisher stale = publisher(dir, 3, dhtNodes, open);

            Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
            PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
            OverlayInfo info = new OverlayInfo(OverlayInfo.BITTORRENT_DHT, List.of(ip(1) + ":6881"),
                    List.of(rproxy.publicKey(), tamperer.publicKey(), stale.publicKey()), OverlayInfo.SALT_RESOURCE_ID);
            UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
            open.add(stream);
            Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps,
                    dir.resolve("origin.key"), Duration.ofHours(1), Duration.ofSeconds(60),
                    List.of("http://127.0.0.1:9/"), "overlay-origin", null).withOverlay(info), Clock.systemUTC(), stream);
            open.add(origin);
            URI base = URI.create(origin.baseUri());
            ClientOptions options = ClientOptions.of(base, KeyPin.ofKeyId(key.keyId()))
                    .withTimeout(Duration.ofSeconds(10));

            // The overlay is empty: a client falls back to pull and still gets valid maps.
            OverlayClient early = peer(dir, 30, dhtNodes, open);
            await(Duration.ofSeconds(20), "the early peer joins the DHT", () -> early.joined().isDone());
            try (AltoClient c = AltoClient.bootstrap(options, early)) {
                for (String t : List.of(NETWORK_MAP, COST_MAP)) {
                    VerifiedDocument d = c.fetch(t);
                    check(d.source().getScheme().equals("http"), "empty overlay: " + t + " from " + d.source());
                    check(d.body().equals(ByteBuffer.wrap(originBody(base, t).unsafeArray())), "empty overlay: " + t + " is the origin's");
                }
                check(c.refreshMaps() != null, "empty overlay: maps answer");
            }
            System.out.println("phase 1: with the overlay empty, the client pulled both maps from the origin");

            // The RProxy follows the origin (push) and publishes; no HTTP listener anywhere but the origin's.
            ResponseVerifier verifier = new ResponseVerifier(List.of(key.publicKey()), Clock.systemUTC());
            PushFeed feed = PushFeed.start(PushFeedConfig.of(base), verifier,
                    rproxy::offer); // the copies its verifier made, published as they are
            open.add(feed);
            await(Duration.ofSeconds(60), "the RProxy publishes both maps",
                    () -> rproxy.published().containsKey("default-network-map")
                            && rproxy.published().containsKey(COST_MAP_ID));
            long v1 = rproxy.published().get(COST_MAP_ID);
            SignedBundle costV1 = bundle(base, COST_MAP);
            check(tamperer.publish(tampered(costV1, v1 + 1), v1 + 1).get(60, TimeUnit.SECONDS) > 0, "tampered pointer stored");
            System.out.println("phase 2: the RProxy published " + rproxy.published()
                    + "; a tampered cost map is published under seq " + (v1 + 1));

            List<OverlayClient> peers = new ArrayList<>();
            for (int i = 0; i < PEERS; i++) {
                peers.add(peer(dir, FIRST_PEER + i, dhtNodes, open));
            }
            for (OverlayClient p : peers) {
                p.joined().get(30, TimeUnit.SECONDS);
            }
            List<AltoClient> clients = new ArrayList<>();
            for (OverlayClient p : peers) {
                clients.add(AltoClient.bootstrap(options, p));
            }
            clients.forEach(open::add);
            Bytes net = originBody(base, NETWORK_MAP);
            Bytes cost1 = originBody(base, COST_MAP);
            ExecutorService pool = Executors.newFixedThreadPool(PEERS);
            open.add(pool::shutdownNow);
            long t0 = System.nanoTime();
            everyPeer(pool, clients, c -> {
                expectFromOverlay(c.fetch(NETWORK_MAP), net);
                VerifiedDocument d = c.fetch(COST_MAP);
                expectFromOverlay(d, cost1);
                check(d.refused().stream().anyMatch(e -> e instanceof ClientException.InvalidResponse),
                        "the tampered cost map was refused: " + d.refused());
            });
            System.out.printf("phase 3: %d peers verified both maps from the overlay alone in %d ms"
                    + " (the tampered cost map refused by each)%n", PEERS, (System.nanoTime() - t0) / 1_000_000);

            // The maps change; the stale publisher then keeps pointing at the old cost map (an older pointer).
            String json = Files.readString(maps.resolve("routingcost-map.json"));
            Files.writeString(maps.resolve("routingcost-map.json"), json.replace("\"PID2\": 5,", "\"PID2\": 7,"));
            await(Duration.ofSeconds(60), "the RProxy publishes the new cost map",
                    () -> rproxy.published().get(COST_MAP_ID) > v1 + 1);
            long v2 = rproxy.published().get(COST_MAP_ID);
            // the stale publisher was up long before the peers: its put must still find the nodes
            // closest to its pointer among all of them, not only those that were up with it
            int storedOn = stale.publish(costV1, v1).get(60, TimeUnit.SECONDS);
            check(storedOn >= 5, "the stale pointer, put after the peers joined, stored on " + storedOn
                    + " DHT nodes (expected: at least 5 of the 8 closest; a publisher that knew only the nodes up with it stored on 3)");
            Bytes cost2 = originBody(base, COST_MAP);
            check(!cost2.equals(cost1), "the cost map changed at the origin");
            long t1 = System.nanoTime();
            everyPeer(pool, clients, c -> expectFromOverlay(c.fetch(COST_MAP), cost2));
            System.out.printf("phase 4: after the change all %d peers took the new cost map (seq %d) from the overlay"
                    + " in %d ms; the older pointer (seq %d) and the tampered one changed nothing%n",
                    PEERS, v2, (System.nanoTime() - t1) / 1_000_000, v1);
            OverlayMeters.checkAfterChange(meters.scrape(), COST_MAP_ID, v2);
            if (SEEDING) {
                // The peers seed what they took: with the RProxy gone, a newcomer still gets the
                // current maps through the overlay, so from the peers alone.
                closeEarly(open, feed);
                closeEarly(open, rproxy);
                OverlayClient late = peer(dir, LATE, dhtNodes, open);
                late.joined().get(30, TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                try (AltoClient c = AltoClient.bootstrap(options, late)) {
                    expectFromOverlay(c.fetch(NETWORK_MAP), net);
                    expectFromOverlay(c.fetch(COST_MAP), cost2);
                }
                System.out.printf("phase 5: with the RProxy gone, a newcomer took both current maps from the seeding"
                        + " peers in %d ms%n", (System.nanoTime() - t2) / 1_000_000);
            }
            System.out.println("OVERLAY-OK");
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    System.out.println("closing: " + e);
                }
            }
        }
        System.exit(0);
    }

    private static void closeEarly(List<AutoCloseable> open, AutoCloseable c) throws Exception {
        open.remove(c);
        c.close();
    }

    interface PeerCheck {
        void run(AltoClient client) throws Exception;
    }

    private static void everyPeer(ExecutorService pool, List<AltoClient> clients, PeerCheck check) throws Exception {
        List<Future<?>> all = new ArrayList<>();
        for (AltoClient c : clients) {
            all.add(pool.submit(() -> {
                check.run(c);
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get(BUDGET.toSeconds() * 3, TimeUnit.SECONDS);
        }
    }

    private static void expectFromOverlay(VerifiedDocument d, Bytes expected) {
        check("magnet".equals(d.source().getScheme()), d.target() + " came from " + d.source() + " (expected: the overlay);"
                + " refused: " + d.refused());
        check(d.body().equals(ByteBuffer.wrap(expected.unsafeArray())), d.target() + " from the overlay is the origin's current version (got the"
                + " version created " + d.created() + " (seq " + d.created().getEpochSecond() + ") from " + d.source()
                + "; refused: " + d.refused() + ")");
    }

    /** The hosts (of 100.64.0.0/24) the run uses: three publishers, the peers, an early and a late client. */
    static List<Integer> hosts() {
        List<Integer> out = new ArrayList<>(List.of(1, 2, 3, 30, LATE));
        for (int i = 0; i < PEERS; i++) {
            out.add(FIRST_PEER + i);
        }
        return out;
    }

    static String ip(int host) {
        return "100.64.0." + host;
    }

    private static OverlayPublisher publisher(Path dir, int host, List<Address> dht, List<AutoCloseable> open)
            throws Exception {
        Path keyFile = dir.resolve("dht-" + host + ".key");
        PrivateKeyFiles.write(keyFile, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).toPkcs8Pem());
        OverlayPublisher p = OverlayPublisher.start(config(dir, host, dht).withKey(keyFile));
        open.add(p);
        return p;
    }

    private static OverlayClient peer(Path dir, int host, List<Address> dht, List<AutoCloseable> open) {
        OverlayClient c = OverlayClient.start(config(dir, host, dht));
        open.add(c);
        return c;
    }

    private static OverlayConfig config(Path dir, int host, List<Address> dht) {
        // a BitTorrent port of its own per node: bt names its threads after it, so a log tells the nodes apart
        return OverlayConfig.builder().bind(ip(host)).dhtPort(6881).btPort(7000 + host).bootstrap(dht)
                .storage(dir.resolve("node-" + host)).seeding(SEEDING).budget(BUDGET).build();
    }

    private static SignedBundle bundle(URI base, String target) throws Exception {
        HttpResponse<byte[]> r = Proxies.get(base.resolve(target).toString());
        check(r.statusCode() == 200, target + ": " + r.statusCode());
        return SignedBundle.of(r.headers().map(), r.body());
    }

    private static Bytes originBody(URI base, String target) throws Exception {
        return bundle(base, target).body();
    }

    /**
     * The same bundle with one byte of the body changed, claiming to be signed at {@code created}
     * (as a pointer's seq must name its bundle's created): neither digest nor signature holds.
     */
    private static SignedBundle tampered(SignedBundle b, long created) {
        byte[] body = b.body().toArray();
        int i = new String(body, java.nio.charset.StandardCharsets.US_ASCII).indexOf("10");
        body[i] = (byte) '9';
        List<HeaderField> fields = new ArrayList<>();
        for (HeaderField f : b.fields()) {
            fields.add(f.name().equals("signature-input")
                    ? new HeaderField(f.name(), f.value().replaceAll(";created=\\d+", ";created=" + created)) : f);
        }
        return new SignedBundle(fields, Bytes.wrap(body));
    }

    private static void await(Duration max, String what, BooleanSupplier done) throws InterruptedException {
        check(Proxies.await(done, (int) max.toSeconds()), "not within " + max + ": " + what);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(requireNonNull(what, "what"));
        }
    }
}
