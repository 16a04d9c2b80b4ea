package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.harness.InProcessCommand.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.PushConfig;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.TestCertificates;

/**
 * The command line of push mode with TLS: the shipped {@code conf/push.yaml} is valid and states
 * the defaults; a bad {@code push:} value or a half-given TLS option stops the command naming it
 * (exit 2); and {@code rproxy origin --tls-cert --tls-key} with {@code rproxy proxy --mode push}
 * from a YAML file (https upstream trusted through {@code upstream.ca}, https listener), run as
 * separate processes, carry a file change to the proxy, verified.
 */
class PushCommandIT {
    @TempDir
    Path dir;

    @Test
    void theShippedPushYamlIsValidAndStatesTheDefaults() throws Exception {
        Path pub = Files.writeString(dir.resolve("origin.pub"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        String yaml = Files.readString(TestPaths.repo().resolve("conf/push.yaml")).replace("keys/origin.pub", pub.toString());
        ProxyConfig c = new ConfigLoader().read(yaml, "conf/push.yaml", ProxyConfig.class);
        assertEquals(ProxyConfig.Mode.PUSH, c.mode());
        assertEquals(new Address("127.0.0.1", 8383), c.listen().address());
        assertEquals(PushConfig.defaults(), c.push());
    }

    @Test
    void badPushSettingsAndHalfGivenTlsOptionsStopTheCommandNamingThem() throws Exception {
        Path pub = Files.writeString(dir.resolve("origin.pub"), "x");
        Path file = Files.writeString(dir.resolve("push.yaml"), "mode: push\nupstream: {url: 'https://127.0.0.1:1', trust: ['"
                + pub + "']}\npush: {read-timeout: 0s}\n");
        assertTrue(run(2, "proxy", "--config", file.toString()).contains(file + ": push.read-timeout: 0s (expected: > 0)"));
        Files.writeString(file, "mode: push\nupstream: {url: 'https://127.0.0.1:1', trust: ['" + pub + "']}\n"
                + "push: {backof-max: 1s}\n");
        assertTrue(run(2, "proxy", "--config", file.toString()).contains(file + ": push.backof-max: unknown key (known: "));
        Path key = Files.writeString(dir.resolve("origin.key"), "x");
        String half = run(2, "origin", "--maps", dir.toString(), "--key", key.toString(), "--tls-cert", key.toString());
        assertTrue(half.contains("--tls-cert and --tls-key go together"), half);
        String zero = run(2, "origin", "--maps", dir.toString(), "--key", key.toString(), "--heartbeat", "0s");
        assertTrue(zero.contains("Invalid value for option '--heartbeat': '0s'"), zero);
        String none = run(2, "origin", "--maps", dir.toString(), "--key", key.toString(), "--max-subscribers", "0");
        assertTrue(none.contains("--max-subscribers: 0 (expected: >= 1)"), none);
        String tiny = run(2, "origin", "--maps", dir.toString(), "--key", key.toString(), "--max-pending-bytes", "1KB");
        assertTrue(tiny.contains("--max-pending-bytes: 1KB (expected: >= 64KB)"), tiny);
        String closed = run(2, "origin", "--maps", dir.toString(), "--key", key.toString(), "--max-connections", "0");
        assertTrue(closed.contains("--max-connections: 0 (expected: 1 to 10000000)"), closed);
        String unbounded = run(2, "origin", "--maps", dir.toString(), "--key", key.toString(), "--max-unfinished-streams", "0");
        assertTrue(unbounded.contains("--max-unfinished-streams: 0 (expected: 1 to 10000000"), unbounded);
    }

    @Test
    void anHttpsOriginProcessFeedsAnHttpsPushProxyProcess() throws Exception {
        TestCertificates originCert = TestCertificates.make(dir, "origin-tls");
        TestCertificates proxyCert = TestCertificates.make(dir, "proxy-tls");
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        int originPort = freePort();
        int proxyPort = freePort();
        Path yaml = Files.writeString(dir.resolve("push.yaml"), "mode: push\nname: push-cmd\n"
                + "listen:\n  address: 127.0.0.1:" + proxyPort + "\n  tls: {cert: '" + proxyCert.cert() + "', key: '"
                + proxyCert.key() + "'}\n"
                + "upstream:\n  url: https://127.0.0.1:" + originPort + "\n  trust: ['" + pub + "']\n  ca: '"
                + originCert.cert() + "'\n"
                + "push: {read-timeout: 2s, backoff-min: 100ms, backoff-max: 1s}\n");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestCertificates.trusting(originCert, proxyCert)).build();
        ResponseVerifier verifier = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC());
        List<Process> processes = new ArrayList<>();
        try {
            processes.add(launch("origin", "origin", "--listen", "127.0.0.1:" + originPort, "--maps", maps.toString(),
                    "--key", priv.toString(), "--tls-cert", originCert.cert().toString(), "--tls-key",
                    originCert.key().toString(), "--heartbeat", "1s", "--max-age", MAX_AGE));
            String origin = "https://127.0.0.1:" + originPort;
            awaitServing(processes.get(0), "origin", () -> status(client, origin + "/directory") == 200);
            processes.add(launch("proxy", "proxy", "--config", yaml.toString()));
            String proxy = "https://127.0.0.1:" + proxyPort;
            awaitServing(processes.get(1), "proxy", () -> status(client, proxy + PushTree.COST_MAP) == 200);

            Path tmp = dir.resolve("routingcost.tmp");
            Files.writeString(tmp, Files.readString(maps.resolve("routingcost-map.json"))
                    .replace("\"PID2\": 5,", "\"PID2\": 87,"));
            Files.move(tmp, maps.resolve("routingcost-map.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            // The origin's max-age is half an hour, and the proxy revalidates only near its end:
            // the change came by the stream, however long a loaded machine takes to notice the
            // file, sign and push it (a 15 s bound against a 60 s max-age ran out at load 30).
            PushTree.await(CHANGE_WITHIN, "the proxy serves the change",
                    () -> body(client, proxy + PushTree.COST_MAP).contains("\"PID2\":87"));
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(proxy + PushTree.COST_MAP)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(),
                    Expectation.path(PushTree.COST_MAP));
            assertTrue(v.valid(), v.toString());
            assertNull(new IndependentVerifier(pub).check(n -> r.headers().firstValue(n).orElse(null), r.body()));
            assertEquals(body(client, origin + PushTree.COST_MAP), new String(r.body(), StandardCharsets.UTF_8));
        } finally {
            for (Process p : processes) {
                p.destroy();
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /**
     * The origin's max-age: so long that within {@link #CHANGE_WITHIN} the proxy can have the
     * change by its stream alone, never by revalidating.
     */
    private static final String MAX_AGE = "30m";
    /** How long the change may take to reach the proxy: well within {@link #MAX_AGE}. */
    private static final Duration CHANGE_WITHIN = Duration.ofMinutes(2);

    /**
     * Waits for a process to serve; fails at once, with its output, if it exits first. How long
     * a JVM takes to start on a loaded machine is no property of rproxy: the wait is bounded only
     * so that a process that hangs does not hang the build.
     */
    private void awaitServing(Process p, String log, BooleanSupplier serving) throws Exception {
        PushTree.await(Duration.ofMinutes(2), "the " + log + " serves", () -> {
            if (!p.isAlive()) {
                String out;
                try {
                    out = Files.readString(dir.resolve(log + ".log"));
                } catch (IOException e) {
                    out = e.toString();
                }
                throw new AssertionError("the " + log + " exited (" + p.exitValue() + ") before serving:\n" + out);
            }
            return serving.getAsBoolean();
        });
    }

    private Process launch(String log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "org.rproxy.app.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log + ".log").toFile()).start();
    }

    private static int status(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
