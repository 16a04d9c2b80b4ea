package org.rproxy.harness;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.overlay.OverlayClient;
import org.rproxy.overlay.OverlayConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * The child JVM of {@link ProxyOverlayCommandIT}, inside its network namespace: an origin (in this
 * JVM, its directory naming the publisher's DHT key), {@code rproxy proxy --mode push --overlay
 * FILE --admin} as a process of its own, started from its command line as an operator would, and a
 * client peer. Proven: the command says it publishes with the key of its overlay file, its
 * {@code /metrics} shows the network map's pointer stored on a DHT node, and a client that holds
 * nothing takes the network map from the overlay (a magnet link naming that publisher), verified
 * with the origin's key. Ends with status 0 and {@code PROXY-OVERLAY-OK}, or an AssertionError.
 */
final class ProxyOverlayCommandRun {
    private static final String NETWORK_MAP = "/networkmap/default-network-map";
    private static final Duration WITHIN = Duration.ofSeconds(120);
    /** Where the start line says the admin listener is ({@code ...; admin on http://127.0.0.1:PORT}). */
    private static final Pattern ADMIN = Pattern.compile("admin on (http://[0-9.:]+)");

    private ProxyOverlayCommandRun() {
    }

    static String ip(int host) {
        return "100.64.0." + host;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        SigningKey dht = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        PrivateKeyFiles.write(dir.resolve("dht.key"), dht.toPkcs8Pem());
        String publisher = rawPublicKey(dht);
        Path overlayFile = Files.writeString(dir.resolve("overlay.yaml"), String.join("\n",
                "bind: " + ip(1), "dht-port: 6881", "bt-port: 7001", "bootstrap: [" + ip(2) + ":6881]",
                "key: " + dir.resolve("dht.key"), "storage: " + dir.resolve("proxy-overlay"), ""));

        OverlayInfo info = new OverlayInfo(OverlayInfo.BITTORRENT_DHT, List.of(ip(1) + ":6881"), List.of(publisher),
                OverlayInfo.SALT_RESOURCE_ID);
        try (UpdatePublisher stream = new UpdatePublisher(UpdateStreamConfig.defaults());
             Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps,
                     dir.resolve("origin.key"), Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "overlay-origin",
                     null).withOverlay(info), Clock.systemUTC(), stream)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "org.rproxy.app.Main", "proxy", "--mode", "push", "--upstream", origin.baseUri(), "--trust",
                    dir.resolve("origin.pub").toString(), "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                    "--overlay", overlayFile.toString());
            Process proxy = new ProcessBuilder(command).redirectErrorStream(true).start();
            try {
                run(proxy, publisher, URI.create(origin.baseUri()), key, dir);
            } finally {
                proxy.destroy();
                if (!proxy.waitFor(20, TimeUnit.SECONDS)) {
                    proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        System.out.println("PROXY-OVERLAY-OK");
        System.exit(0); // what the libraries leave running (bt's, mldht's threads) is no concern of this run's
    }

    private static void run(Process proxy, String publisher, URI origin, SigningKey key, Path dir) throws Exception {
        CompletableFuture<String> publishing = new CompletableFuture<>();
        CompletableFuture<String> admin = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = proxy.inputReader(StandardCharsets.UTF_8)) {
                for (String l; (l = in.readLine()) != null; ) {
                    System.out.println("proxy: " + l);
                    if (l.startsWith("publishing into the overlay with key ")) {
                        publishing.complete(l.substring("publishing into the overlay with key ".length()).trim());
                    }
                    Matcher m = ADMIN.matcher(l);
                    if (m.find()) {
                        admin.complete(m.group(1) + "/metrics");
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            publishing.complete(null);
            admin.complete(null);
        }, "proxy-output");
        reader.setDaemon(true);
        reader.start();
        String key1 = publishing.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        check(publisher.equals(key1), "the command said it publishes with key " + key1 + ", expected " + publisher);
        String metrics = admin.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        check(metrics != null, "no admin listener said");
        System.out.println("phase 1: rproxy proxy --overlay started, publishing with the overlay file's key");

        try (OverlayClient peer = OverlayClient.start(OverlayConfig.builder().bind(ip(2)).dhtPort(6881).btPort(7002)
                .bootstrap(List.of(new Address(ip(1), 6881))).storage(dir.resolve("peer")).seeding(false)
                .budget(Duration.ofSeconds(30)).build())) {
            check(Proxies.await(() -> pointerStored(metrics), (int) WITHIN.toSeconds()),
                    "the proxy's /metrics never showed the network map's pointer stored on a DHT node");
            System.out.println("phase 2: its /metrics shows the network map's pointer stored on the peer's DHT node");
            ClientOptions options = ClientOptions.of(origin, KeyPin.ofKeyId(key.keyId())).withTimeout(Duration.ofSeconds(10));
            long end = System.nanoTime() + WITHIN.toNanos();
            VerifiedDocument d;
            do {
                try (AltoClient client = AltoClient.bootstrap(options, peer)) { // holds nothing: the overlay's is taken
                    d = client.fetch(NETWORK_MAP);
                }
                System.out.println("fetched " + NETWORK_MAP + " from " + d.source() + ", refused before: " + d.refused());
            } while (!d.source().getScheme().equals("magnet") && System.nanoTime() < end);
            check(d.source().toString().contains("xs=urn:btpk:" + publisher), "not from the proxy's overlay: " + d.source());
            System.out.println("phase 3: a client took the network map from the overlay, published by the proxy");
        }
    }

    /** Whether the admin page shows the network map's pointer stored on at least one DHT node. */
    private static boolean pointerStored(String metrics) {
        try {
            HttpResponse<byte[]> r = Proxies.get(metrics);
            String page = new String(r.body(), StandardCharsets.UTF_8);
            return page.lines().anyMatch(l -> l.startsWith("rproxy_overlay_pointer_nodes{")
                    && l.contains("resource=\"default-network-map\"") && !l.endsWith(" 0.0"));
        } catch (Exception e) {
            return false;
        }
    }

    /** The Ed25519 public key of {@code k} in hex, as the origin's directory names a publisher: its SPKI's last 32 bytes. */
    private static String rawPublicKey(SigningKey k) {
        String pem = k.publicKey().toSpkiPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(pem);
        byte[] raw = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
        return HexFormat.of().formatHex(raw);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(requireNonNull(what, "what"));
        }
    }
}
