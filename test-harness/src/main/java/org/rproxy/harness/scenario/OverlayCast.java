package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.OverlaySource;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.config.Address;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.HeaderField;
import org.rproxy.harness.load.PrometheusPage;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.overlay.OverlayClient;
import org.rproxy.overlay.OverlayConfig;
import org.rproxy.overlay.OverlayPublisher;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * Everything of the {@code overlay} scenario but the peers, inside its network namespace: the
 * origin (in this process, with its update stream) behind a counting relay; the fallback pull
 * proxy (a child process) behind a second relay on {@link #PROXY_PORT}, the one proxy the
 * origin's directory names; two poisoners, in-process publishers the directory also lists (one
 * publishes tampered bundles under newer versions, one an older pointer), started first so that
 * peers can bootstrap from them; then, once the peers are in, the publishing RProxy, a real
 * {@code rproxy proxy --mode push --overlay} child process on {@link OverlaySettings#RPROXY}
 * (it publishes into the DHT the peers make, so its pointers land on the nodes closest to them);
 * and a probe peer that tells when the RProxy's bundles can be had. All are
 * registered with the {@link Lab}, which stops them. Used by the scenario's thread.
 */
final class OverlayCast {
    /** The fallback proxy's relay: a fixed port, since the origin names it before the proxy starts (the namespace is empty). */
    static final int PROXY_PORT = 8282;
    private static final Pattern CREATED = Pattern.compile("created=([0-9]+)");

    private final Lab lab;
    private final Path[] dhtKeys = new Path[3];
    private final String keyId;
    private final String direct;
    private final CountingRelay originRelay;
    private final CountingRelay proxyRelay;
    private final List<String> bootstrap;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ProxyProcess rproxy;
    private OverlayPublisher tamperer;
    private OverlayPublisher stale;

    private OverlayCast(Lab lab, Path[] keys, String keyId, String direct, CountingRelay originRelay, CountingRelay proxyRelay,
                        List<String> bootstrap) {
        this.lab = lab;
        this.bootstrap = List.copyOf(bootstrap);
        System.arraycopy(keys, 0, dhtKeys, 0, 3);
        this.keyId = keyId;
        this.direct = direct;
        this.originRelay = originRelay;
        this.proxyRelay = proxyRelay;
    }

    /**
     * Starts the origin on {@code maps}, its relay, the fallback proxy and its relay, and the
     * poisoners (DHT nodes the peers can bootstrap from; they publish only when told).
     */
    static OverlayCast start(Lab lab, Path maps, Duration maxAge, List<String> peers) throws IOException, InterruptedException {
        Path[] keys = new Path[3];
        List<String> publishers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SigningKey k = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
            keys[i] = lab.dir().resolve("dht-" + i + ".key");
            PrivateKeyFiles.write(keys[i], k.toPkcs8Pem());
            publishers.add(HexFormat.of().formatHex(Base64.getUrlDecoder().decode(k.publicKey().jwk().x())));
        }
        OverlayInfo info = new OverlayInfo(OverlayInfo.BITTORRENT_DHT, List.of(OverlaySettings.RPROXY + ":" + OverlayPeers.DHT_PORT),
                publishers, OverlayInfo.SALT_RESOURCE_ID);
        UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
        lab.stopAtEnd(stream);
        Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, lab.key(),
                Duration.ofHours(1), maxAge, List.of("http://127.0.0.1:" + PROXY_PORT), "overlay-origin", null)
                .withOverlay(info), Clock.systemUTC(), stream);
        lab.stopAtEnd(origin);
        CountingRelay originRelay = new CountingRelay(new InetSocketAddress("127.0.0.1", origin.address().getPort()));
        lab.stopAtEnd(originRelay);
        ProxyProcess fallback = lab.startProxy("fallback", originRelay.baseUri());
        CountingRelay proxyRelay = new CountingRelay(new InetSocketAddress("127.0.0.1", fallback.port()), PROXY_PORT, l -> { });
        lab.stopAtEnd(proxyRelay);
        String keyId = VerificationKey.readPem(lab.pub()).keyId();
        OverlayCast cast = new OverlayCast(lab, keys, keyId, "http://127.0.0.1:" + origin.address().getPort(), originRelay,
                proxyRelay, bootstrap(peers));
        cast.tamperer = cast.publisher(OverlaySettings.TAMPERER, keys[1]);
        cast.stale = cast.publisher(OverlaySettings.STALE, keys[2]);
        return cast;
    }

    /** The publishers' DHT nodes and the first peers': where the publishers and the probe join. */
    private static List<String> bootstrap(List<String> peers) {
        List<String> out = new ArrayList<>(publisherNodes());
        peers.stream().limit(6).forEach(p -> out.add(p + ":" + OverlayPeers.DHT_PORT));
        return out;
    }

    /** The DHT nodes of the three publishers, as peers bootstrap from them. */
    static List<String> publisherNodes() {
        return List.of(OverlaySettings.RPROXY + ":" + OverlayPeers.DHT_PORT, OverlaySettings.TAMPERER + ":" + OverlayPeers.DHT_PORT,
                OverlaySettings.STALE + ":" + OverlayPeers.DHT_PORT);
    }

    /** Starts the RProxy: push mode, following the origin's update stream directly (the relay cannot carry a stream). */
    void startRProxy() throws IOException, InterruptedException {
        Path yaml = lab.dir().resolve("overlay.yaml");
        Files.writeString(yaml, "bind: " + OverlaySettings.RPROXY + "\ndht-port: " + OverlayPeers.DHT_PORT + "\nbt-port: "
                + OverlayPeers.BT_PORT + "\nbootstrap: [" + String.join(", ", bootstrap) + "]\nkey: " + dhtKeys[0]
                + "\nstorage: " + lab.dir().resolve("overlay-rproxy") + "\n", StandardCharsets.UTF_8);
        rproxy = lab.startPushProxy("rproxy", direct, List.of("--overlay", yaml.toString()));
    }

    /**
     * The number of DHT nodes that took the last put of each of {@code ids}' pointers, as the
     * RProxy's {@code /metrics} says ({@code rproxy_overlay_pointer_nodes}); -1 for one it does not show.
     */
    List<Integer> pointerNodes(List<String> ids) throws IOException, InterruptedException {
        URI metrics = requireNonNull(rproxy, "rproxy (not started)").metrics();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        List<Integer> out = new ArrayList<>();
        for (String id : ids) {
            out.add((int) PrometheusPage.sample(r.body(), "rproxy_overlay_pointer_nodes{resource=\"" + id + "\"}").orElse(-1));
        }
        return out;
    }

    private OverlayPublisher publisher(String ip, Path key) {
        OverlayPublisher p = OverlayPublisher.start(config(ip).withKey(key));
        lab.stopAtEnd(p);
        return p;
    }

    private OverlayConfig config(String ip) {
        return OverlayConfig.builder().bind(ip).dhtPort(OverlayPeers.DHT_PORT).btPort(OverlayPeers.BT_PORT)
                .bootstrap(bootstrap.stream().map(Address::parse).toList()).storage(lab.dir().resolve("overlay-" + ip))
                .seeding(false).budget(Duration.ofSeconds(20)).build();
    }

    /**
     * Waits until a probe peer (its own DHT node) is offered, through the overlay alone, a bundle
     * of each of {@code targets} (with resource ids {@code ids}) that is signed for that target,
     * for at most {@code limit}; true when it was. The poisoners have published nothing yet, so
     * what is offered is the RProxy's.
     */
    boolean awaitPublished(List<String> targets, List<String> ids, Duration limit) throws InterruptedException {
        return awaitOffered(targets, ids, b -> true, limit);
    }

    /**
     * Waits until a probe peer is offered, through the overlay alone, a bundle of each of
     * {@code targets} (resource ids {@code ids}) that is signed for that target and passes
     * {@code wanted}, for at most {@code limit}; true when it was.
     */
    boolean awaitOffered(List<String> targets, List<String> ids, Predicate<SignedBundle> wanted, Duration limit)
            throws InterruptedException {
        try (OverlayClient probe = OverlayClient.start(config(OverlaySettings.PROBE));
             AltoClient reader = AltoClient.bootstrap(ClientOptions.of(URI.create(direct), KeyPin.ofKeyId(keyId)))) {
            java.nio.ByteBuffer verified = reader.fetch("/directory").body(); // the directory the reader verified
            byte[] bytes = new byte[verified.remaining()];
            verified.get(bytes);
            Directory dir = AltoJson.readDirectory(AltoJson.parse(bytes));
            return Poll.until(() -> {
                for (int i = 0; i < targets.size(); i++) {
                    if (!offered(probe, dir, targets.get(i), ids.get(i), wanted)) {
                        return false;
                    }
                }
                return true;
            }, Duration.ofSeconds(2), limit);
        }
    }

    private static boolean offered(OverlaySource overlay, Directory dir, String target, String id,
                                   Predicate<SignedBundle> wanted) {
        for (Iterator<OverlaySource.Offer> it = overlay.offers(dir, target, id, null); it.hasNext(); ) {
            SignedBundle b = it.next().bundle();
            String resource = b == null ? null : b.field(AltoResource.HEADER);
            if (resource != null && AltoResource.parse(resource).path().equals(target) && wanted.test(b)) {
                return true;
            }
        }
        return false;
    }

    OverlayPublisher tamperer() {
        return requireNonNull(tamperer, "tamperer (not started)");
    }

    OverlayPublisher stale() {
        return requireNonNull(stale, "stale (not started)");
    }

    String keyId() {
        return keyId;
    }

    /** The origin's own address, not counted: what the harness itself reads. */
    String direct() {
        return direct;
    }

    CountingRelay originRelay() {
        return originRelay;
    }

    CountingRelay proxyRelay() {
        return proxyRelay;
    }

    /** The origin's current signed bundle of {@code target}, read past the relay. */
    SignedBundle bundle(String target) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(direct + target)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException(direct + target + ": " + r.statusCode());
        }
        return SignedBundle.of(r.headers().map(), r.body());
    }

    /** The signature's {@code created} seconds of a bundle: the version its publisher's pointer carries. */
    static long created(SignedBundle b) {
        Matcher m = CREATED.matcher(String.valueOf(b.field("signature-input")));
        if (!m.find()) {
            throw new IllegalArgumentException("bundle: no created= in its signature-input");
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * The same bundle with one digit of the body changed (still JSON), and its signature's
     * {@code created} moved to {@code created} (a pointer's seq is its bundle's created, and
     * clients refuse a bundle signed at another second than its pointer claims, so a tamperer
     * claiming a newer version claims it in the bundle too): neither its digest nor its
     * signature holds.
     */
    static SignedBundle tampered(SignedBundle b, long created) {
        byte[] body = b.body().toArray();
        List<HeaderField> fields = new ArrayList<>();
        for (HeaderField f : b.fields()) {
            fields.add(f.name().equals("signature-input")
                    ? new HeaderField(f.name(), f.value().replaceAll(";created=\\d+", ";created=" + created)) : f);
        }
        for (int i = body.length / 2; i < body.length; i++) {
            if (body[i] >= '1' && body[i] <= '8') {
                body[i]++;
                return new SignedBundle(fields, Bytes.wrap(body));
            }
        }
        throw new IllegalArgumentException("bundle: no digit to change in the second half of its body");
    }
}
