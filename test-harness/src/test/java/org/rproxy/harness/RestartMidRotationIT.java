package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.UpdateStreamMount;
import org.rproxy.core.store.Representation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;
import org.slf4j.LoggerFactory;

/**
 * A pull proxy restarted between steps 2 and 3 of a key rotation (docs/origin.md, "Key rotation"),
 * configured with the old key only, whose prefetches are signed by the next key: it reads the
 * directory first, which the old key's signature lets it verify and which teaches it the next key,
 * and only then its other prefetches, so none of them is refused as signed by an unknown key.
 * Before, the prefetches raced the directory: at every start some were refused
 * ({@code rproxy_verification_failures_total{reason="unknown_key"}} counted them, and a WARN said
 * so) and fetched again a retry pause later.
 *
 * <p>A client asking such a proxy for a document before it holds the directory waits for the
 * directory's first fetch and is served. Before, its miss was fetched beside the directory and
 * refused: {@code 502}, {@code UNKNOWN_KEY}, the document's signature blamed. When the
 * directory's first fetch fails (times out), a document signed by the next key has the proxy ask
 * for the directory again, and is served; before, it was refused until the directory's next refresh.
 *
 * <p>After step 3 (the old key retired) such a proxy refuses everything, as it should; its log
 * says what to do about it: the key id it lacks, and that the origin's new public key must be
 * added to its trusted keys and the proxy restarted. Before, it said only that the key id was not
 * trusted.
 */
class RestartMidRotationIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> PREFETCH = List.of("/capability", PushTree.COST_MAP,
            "/networkmap/default-network-map", "/directory");

    @TempDir
    Path dir;

    private SigningKey next;
    private Path oldPub;

    /** The old key and the next, both private keys in the folder, and the old key's public key. */
    @BeforeEach
    void keys() throws Exception {
        SigningKey old = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        next = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        PrivateKeyFiles.write(dir.resolve("old.key"), old.toPkcs8Pem());
        PrivateKeyFiles.write(dir.resolve("next.key"), next.toPkcs8Pem());
        oldPub = new OriginKeys(dir).write("old.pub", old.publicKey().toSpkiPem());
    }

    /** An origin on the sample maps with a keys file of {@code entries} ({@code DIR}: the folder). */
    private Origin origin(String entries) throws Exception {
        return origin(entries, null);
    }

    /** {@link #origin(String)}, its front end wrapped by {@code mount} (null: none). */
    private Origin origin(String entries, UpdateStreamMount mount) throws Exception {
        Path keysFile = new OriginKeys(dir).keys(entries);
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        return Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keysFile,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "restart-mid-rotation-it", null),
                Clock.systemUTC(), mount);
    }

    /**
     * What the origin's front end does with requests for {@code /directory}: counted, and answered
     * only once {@link #release} has completed. No update stream: its path answers 404.
     */
    private static final class HeldDirectory implements UpdateStreamMount {
        final CompletableFuture<Void> release = new CompletableFuture<>();
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public String path() {
            return "/no-updates";
        }

        @Override
        public AltoService wrap(AltoService documents) {
            return request -> {
                if (!request.target().equals("/directory")) {
                    return documents.handle(request);
                }
                asked.incrementAndGet();
                return release.thenCompose(v -> documents.handle(request));
            };
        }

        @Override
        public void installed(Map<String, Representation> documents) {
        }
    }

    @Test
    void aProxyTrustingOnlyTheOldKeyStartsWithoutRefusingWhatTheNextKeySigned() throws Exception {
        String nxt = next.publicKey().keyId();
        // after step 2: the next key signs, the old one is still held and signs the directory too
        try (Origin origin = origin("  - file: DIR/next.key\n    signing: true\n  - file: DIR/old.key\n")) {
            for (int restart = 1; restart <= 3; restart++) {
                ProxyConfig c = Proxies.config("restarted-" + restart, origin.baseUri(), oldPub);
                try (PullProxy proxy = PullProxy.start(c.withUpstream(c.upstream().withPrefetch(PREFETCH)),
                        Clock.systemUTC())) {
                    PushTree.await(WAIT, "the restarted proxy holds every prefetched document",
                            () -> proxy.heldSignedTargets().containsAll(PREFETCH));
                    assertEquals(true, proxy.trustedKeyIds().contains(nxt), "learnt the next key");
                    assertEquals(0.0, Proxies.count(proxy.registry(), "rproxy.verification.failures",
                            "reason", "unknown_key"), "start " + restart + ": prefetches refused as signed by an unknown key");
                }
            }
        }
    }

    @Test
    void aClientAskingBeforeTheDirectoryIsHeldWaitsForItAndIsServed() throws Exception {
        String nxt = next.publicKey().keyId();
        Logger waits = (Logger) LoggerFactory.getLogger("org.rproxy.pull.DirectoryFirst");
        Level level = waits.getLevel();
        waits.setLevel(Level.DEBUG); // the line saying a miss waits for the directory
        HeldDirectory held = new HeldDirectory();
        // after step 2, the origin answering the directory only when the test says
        try (Origin origin = origin("  - file: DIR/next.key\n    signing: true\n  - file: DIR/old.key\n", held);
             CapturedLogs logs = CapturedLogs.of(waits.getName())) {
            ProxyConfig c = Proxies.config("fresh", origin.baseUri(), oldPub);
            // an upstream timeout far above the test's wait: the directory's fetch must not end but by the release
            try (PullProxy fresh = PullProxy.start(c.withUpstream(c.upstream().withTimeout(Duration.ofMinutes(2))),
                    Clock.systemUTC())) {
                PushTree.await(WAIT, "the fresh proxy asks for the directory", () -> held.asked.get() > 0);
                CompletableFuture<HttpResponse<byte[]>> answer = Proxies.HTTP.sendAsync(
                        HttpRequest.newBuilder(URI.create(fresh.baseUri() + PushTree.COST_MAP)).timeout(WAIT).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                // the old code answered at once, refusing the map; the new one waits, saying so at DEBUG
                PushTree.await(WAIT, "the client answered, or its miss waiting for the directory", () -> answer.isDone()
                        || logs.events().stream().anyMatch(e -> e.getFormattedMessage().contains(PushTree.COST_MAP)));
                held.release.complete(null);
                HttpResponse<byte[]> r = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                assertTrue(r.headers().firstValue("signature-input").orElse("").contains("keyid=\"" + nxt + "\""),
                        "signed by the next key: " + r.headers().map());
                assertEquals(0.0, Proxies.count(fresh.registry(), "rproxy.verification.failures",
                        "reason", "unknown_key"), "refused as signed by an unknown key");
            }
        } finally {
            held.release.complete(null);
            waits.setLevel(level);
        }
    }

    /**
     * The directory's first fetch timed out (the origin away for a moment): a client's request for
     * a document signed by the next key, which the proxy does not know yet, has the directory
     * asked for again, and is served. Before, the document was refused until the directory's next
     * refresh: "no valid copy of /costmap/routingcost-map (upstream answer refused: UNKNOWN_KEY ...)
     * expected: <200> but was: <502>".
     */
    @Test
    void aProxyWhoseFirstDirectoryFetchTimedOutLearnsTheNextKeyWhenADocumentNamesIt() throws Exception {
        String nxt = next.publicKey().keyId();
        HeldDirectory held = new HeldDirectory();
        try (Origin origin = origin("  - file: DIR/next.key\n    signing: true\n  - file: DIR/old.key\n", held)) {
            ProxyConfig c = Proxies.config("timed-out", origin.baseUri(), oldPub);
            // the directory tried again by the refresher only 1 to 2 s after its timeout (RetryPause): the
            // client asks before that, as one asking during a longer outage would
            c = c.withUpstream(c.upstream().withTimeout(Duration.ofSeconds(3))).withRefresh(new RefreshConfig(
                    Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofSeconds(1),
                    Duration.ofHours(1)));
            try (PullProxy proxy = PullProxy.start(c, Clock.systemUTC())) {
                PushTree.await(WAIT, "the directory's first fetch timed out", () -> Proxies.count(proxy.registry(),
                        "rproxy.upstream.fetches", "result", "failed") > 0);
                held.release.complete(null); // the origin answers from now on
                HttpResponse<byte[]> r = answered(proxy.baseUri() + PushTree.COST_MAP);
                assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                assertTrue(r.headers().firstValue("signature-input").orElse("").contains("keyid=\"" + nxt + "\""),
                        "signed by the next key: " + r.headers().map());
                assertTrue(proxy.trustedKeyIds().contains(nxt), "learnt the next key");
            }
        } finally {
            held.release.complete(null);
        }
    }

    /**
     * The first answer to a GET of {@code uri} that is not a timeout: under load the origin may
     * not answer within the proxy's upstream timeout, which the proxy answers {@code 504}.
     */
    private static HttpResponse<byte[]> answered(String uri) {
        AtomicReference<HttpResponse<byte[]>> answer = new AtomicReference<>();
        PushTree.await(WAIT, "an answer to " + uri + " other than 504", () -> {
            try {
                answer.set(Proxies.get(uri));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return answer.get().statusCode() != 504;
        });
        return answer.get();
    }

    @Test
    void aProxyTrustingOnlyARetiredKeyLogsWhatTheOperatorMustDo() throws Exception {
        String nxt = next.publicKey().keyId();
        // after step 3: the next key alone signs, the directory too
        try (Origin origin = origin("  - file: DIR/next.key\n    signing: true\n");
             CapturedLogs logs = CapturedLogs.of("org.rproxy.pull");
             PullProxy stranded = Proxies.start("stranded", origin.baseUri(), oldPub, Clock.systemUTC())) {
            // under load the upstream may time out (504): ask until an answer came and was refused
            AtomicReference<HttpResponse<byte[]>> answer = new AtomicReference<>();
            PushTree.await(WAIT, "a 502 for the cost map", () -> {
                try {
                    answer.set(Proxies.get(stranded.baseUri() + PushTree.COST_MAP));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return answer.get().statusCode() == 502;
            });
            HttpResponse<byte[]> r = answer.get();
            String body = new String(r.body(), StandardCharsets.UTF_8);
            // a server condition's one form (docs/protocol.md): a line of text naming the key
            assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElse(""), body);
            assertTrue(body.contains("UNKNOWN_KEY: keyid " + nxt), body);
            assertFalse(body.contains("upstream.trust"), "the operator's advice stays in the operator's log: " + body);
            String line = logs.await(e -> e.getFormattedMessage().contains("UNKNOWN_KEY"), WAIT).getFormattedMessage();
            assertTrue(line.contains("keyid " + nxt), line);
            assertTrue(line.contains("upstream.trust") && line.contains("--trust") && line.contains("restart"),
                    "says what to do: " + line);
        }
    }
}
