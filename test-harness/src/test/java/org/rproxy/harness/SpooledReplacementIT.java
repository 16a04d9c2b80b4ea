package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * A large map that a pull proxy sends from its spool file (sendfile) is replaced while 50 slow
 * clients are in the middle of downloading it: each of them still gets the whole old version,
 * verifying, and the old file is deleted only after the last of them is done; clients that ask
 * afterwards get the new version. The map is bigger than any socket buffer can hold, so every
 * one of the 50 writes is truly under way when the replacement lands.
 */
class SpooledReplacementIT {
    static final String MAP = "/networkmap/big-network-map";
    static final int CLIENTS = 50;
    /** PIDs of the big map: about 6 MB of JSON, more than the 4 MB a loopback socket may buffer. */
    static final int PIDS = 120_000;

    @TempDir
    Path dir;
    final MutableClock clock = MutableClock.now();
    Path maps;
    Path pub;
    Origin origin;
    PullProxy proxy;
    ResponseVerifier verifier;

    @BeforeEach
    void start() throws Exception {
        maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        writeBigMap(1);
        SigningKey k = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path key = PrivateKeyFiles.write(dir.resolve("origin.key"), k.toPkcs8Pem());
        pub = Files.writeString(dir.resolve("origin.pub"), k.publicKey().toSpkiPem());
        origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "spool-origin", null), clock);
        proxy = Proxies.start("edge", origin.baseUri(), pub, clock);
        verifier = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), clock);
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void fiftySlowClientsOfAReplacedMapEachGetOneWholeVerifyingVersionAndTheOldFileGoesAfterTheLast()
            throws Exception {
        String v1 = etag(proxy.baseUri());
        Path spool = proxy.spoolDirectory();
        assertNotNull(spool, "a pull proxy spools by default");
        Path v1File = largestFile(spool);

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch midway = new CountDownLatch(CLIENTS);
        CountDownLatch resume = new CountDownLatch(1);
        // At most four whole bodies in the test's memory at once.
        Semaphore verifying = new Semaphore(4);
        List<Future<String>> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(pool.submit(() -> slowDownload(midway, resume, verifying)));
            }
            assertTrue(midway.await(60, TimeUnit.SECONDS), "every client has its head and a first piece");

            writeBigMap(2);
            assertTrue(Proxies.await(() -> !v1.equals(etagQuietly(origin.baseUri())), 60), "the origin signs v2");
            clock.advance(Duration.ofSeconds(61));
            assertTrue(Proxies.await(() -> {
                proxy.refreshNow().join();
                return !v1.equals(etagQuietly(proxy.baseUri()));
            }, 60), "the proxy revalidates and holds v2");
            assertTrue(Files.exists(v1File), "v1's file stays while 50 responses still send it");

            resume.countDown();
            for (Future<String> c : clients) {
                assertEquals(v1, c.get(120, TimeUnit.SECONDS), "each client has v1 whole, verified");
            }
        } finally {
            resume.countDown();
            pool.shutdownNow();
        }
        assertTrue(Proxies.await(() -> !Files.exists(v1File), 20), "v1's file deleted after the last response");

        HttpResponse<byte[]> after = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + MAP))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        Verdict v = verifier.verify(n -> after.headers().firstValue(n).orElse(null), after.body(),
                new Expectation(MAP, null));
        assertTrue(v.valid(), v.toString());
        assertNotEquals(v1, after.headers().firstValue("etag").orElseThrow());
        // the test asks for identity bodies only, so v2's is the one body the proxy holds
        assertTrue(Proxies.await(() -> files(spool) == 1, 20), () -> "only v2's identity body remains: " + listing(spool));
    }

    /**
     * Reads the head and a first piece, through a small receive window, then waits for
     * {@code resume} before reading the rest; returns the entity tag once the whole body verified.
     */
    private String slowDownload(CountDownLatch midway, CountDownLatch resume, Semaphore verifying) throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(proxy.address());
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET " + MAP + " HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            Map<String, String> head = readHead(in);
            int length = Integer.parseInt(head.get("content-length"));
            byte[] first = in.readNBytes(4096);
            midway.countDown();
            if (!resume.await(120, TimeUnit.SECONDS)) {
                throw new IOException("never resumed");
            }
            verifying.acquire();
            try {
                ByteArrayOutputStream body = new ByteArrayOutputStream(length);
                body.write(first);
                body.write(in.readNBytes(length - first.length));
                assertEquals(-1, in.read(), "nothing after the body");
                Verdict v = verifier.verify(head::get, body.toByteArray(), new Expectation(MAP, null));
                assertTrue(v.valid(), v.toString());
                return head.get("etag");
            } finally {
                verifying.release();
            }
        }
    }

    private static Map<String, String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head");
            }
            raw.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = raw.toString(StandardCharsets.US_ASCII).split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 200")) {
            throw new IOException("not a 200: " + lines[0]);
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                fields.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return fields;
    }

    private static String etag(String base) throws Exception {
        HttpResponse<Void> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + MAP))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(200, r.statusCode());
        return r.headers().firstValue("etag").orElseThrow();
    }

    private static String etagQuietly(String base) {
        try {
            return etag(base);
        } catch (Exception | AssertionError e) {
            return null;
        }
    }

    private static Path largestFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
    }

    /** The spool directory's files and their sizes, for a failure's message. */
    private static String listing(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName() + " " + f.toFile().length()).sorted().toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The bodies' files in the spool directory (its {@code .lock} apart). */
    private static long files(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("body-")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Version {@code version} of the big map, every PID renamed so nothing is shared between versions. */
    private void writeBigMap(int version) throws IOException {
        StringBuilder b = new StringBuilder(PIDS * 52).append("{\"network-map\":{");
        for (int i = 0; i < PIDS; i++) {
            b.append("\"pop").append(version).append('-').append(i).append("\":{\"ipv4\":[\"10.")
                    .append(i / 65_536).append('.').append(i / 256 % 256).append('.').append(i % 256).append("/32\"]},");
        }
        b.append("\"rest\":{\"ipv4\":[\"0.0.0.0/0\"]}}}");
        Path tmp = maps.resolveSibling("big.tmp");
        Files.writeString(tmp, b);
        Files.move(tmp, maps.resolve("big-network-map.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
