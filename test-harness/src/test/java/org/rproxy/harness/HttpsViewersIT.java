package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.harness.load.LoopbackServers;
import org.rproxy.pull.PullProxy;

import picocli.CommandLine;

/**
 * {@code harness viewers} against a pull proxy serving HTTPS (its {@code listen.tls}), with
 * certificates made in the test: trusting the proxy's certificate by {@code --ca}, every viewer
 * joins over TLS on the few connections it was given (reused and pipelined as over plain HTTP) and
 * everything signed verifies; trusting another CA, or given a certificate for another name, every
 * viewer fails at once with the TLS reason, and the run ends without waiting for any timeout. A
 * private CA's expired certificate and a port that never answers the handshake fail every viewer
 * saying so (the latter within the connect timeouts, none unfinished); {@code harness burst}
 * handshakes over the same trust and fails likewise; an https {@code --origin-metrics} is read
 * with the run's {@code --ca}.
 * The two cases at the silent port, which wait out connect timeouts, run beside the others; the
 * others, which handshake and verify as fast as the machine lets them, run one at a time
 * ({@link #HANDSHAKING}): three such runs at once on a loaded machine once left a viewer of the
 * metrics case unanswered. Every case only asks the shared servers (each run writes its own report
 * folder; the metrics case counts its reads as a difference, and no other case reads that server
 * with a CA it trusts).
 */
@Execution(ExecutionMode.CONCURRENT)
class HttpsViewersIT {
    static final int VIEWERS = 200;
    /** The lock of the cases that keep the machine busy, so that they run one at a time. */
    static final String HANDSHAKING = "HttpsViewersIT.handshaking";

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static TestCertificates proxyCert;
    static TestCertificates otherCa;
    static PullProxy proxy;
    static PullProxy misnamed;
    static TestCa privateCa;
    static PullProxy expired;
    static LoopbackServers.Silent silent;
    static HttpsServer metrics;
    static final AtomicLong SCRAPES = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start(dir.resolve("origin"));
        proxyCert = TestCertificates.make(dir, "proxy-tls");
        otherCa = TestCertificates.make(dir, "other-ca");
        proxy = PullProxy.start(https(proxyCert));
        // trusted as its own CA, but naming only another host than the 127.0.0.1 the viewers ask for
        misnamed = PullProxy.start(https(TestCertificates.makeFor(dir, "misnamed-tls", "proxy.example")));
        // a private CA's certificate whose notAfter has passed: served all the same (nothing checks it at start)
        privateCa = TestCa.make(dir, "private-ca");
        Instant now = Instant.now();
        TestCa.Issued old = privateCa.issue(dir, "expired-tls", now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(1)));
        expired = PullProxy.start(https(new TestCertificates(old.cert(), old.key(), old.chain()[0])));
        silent = new LoopbackServers.Silent();
        metrics = metricsServer(privateCa.issue(dir, "metrics-tls", now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1))));
    }

    /**
     * An origin's {@code /metrics} behind TLS from the private CA (rproxy's admin listener is plain
     * HTTP, so a JDK HTTPS server stands in for the TLS terminator in front of it): each read
     * counts five more requests for {@code /directory}.
     */
    private static HttpsServer metricsServer(TestCa.Issued cert) throws Exception {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(cert.serverContext()));
        server.createContext("/metrics", ex -> {
            byte[] page = ("# TYPE rproxy_requests_total counter\nrproxy_requests_total{method=\"GET\",path=\"/directory\","
                    + "status=\"200\"} " + 5 * SCRAPES.incrementAndGet() + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, page.length);
            try (var out = ex.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
        return server;
    }

    private static ProxyConfig https(TestCertificates cert) {
        ProxyConfig c = Proxies.config("edge", origin.base(), origin.publicKey);
        return c.withListen(new ListenConfig(c.listen().address(), new TlsConfig(cert.cert(), cert.key())));
    }

    /** A port that accepts TCP and never reads from it: a TLS handshake there gets no answer. */
    private static String silentHttps() {
        return silent.uri().toString().replace("http://", "https://");
    }

    @AfterAll
    static void stop() {
        if (metrics != null) {
            metrics.stop(0);
        }
        for (AutoCloseable c : new AutoCloseable[] {silent, expired, misnamed, proxy, origin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    /** Runs {@code harness viewers} at {@code target}, returning its exit code and report; stdout and stderr in the failure text. */
    private static Run viewers(String name, String target, Path ca, String... more) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = org.rproxy.harness.HarnessMain.commandLine().setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        Path report = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("viewers", "--target", target, "--ca", ca.toString(),
                "--trust", origin.publicKey.toString(), "--maps", origin.maps.toString(), "--viewers",
                Integer.toString(VIEWERS), "--arrival", "steady:400", "--timeout", "10s", "--drain", "30s",
                "--report", report.toString()));
        args.addAll(List.of(more));
        int code = cl.execute(args.toArray(String[]::new));
        return new Run(code, new ObjectMapper().readTree(report.resolve("report.json").toFile()), out + "\n" + err);
    }

    record Run(int code, JsonNode report, String printed) {
    }

    @Test
    @ResourceLock(HANDSHAKING)
    void everyViewerJoinsVerifiedOverHttpsOnTheConnectionsItWasGiven() throws Exception {
        assertTrue(proxy.baseUri().startsWith("https://127.0.0.1:"), proxy.baseUri());
        Run r = viewers("https", proxy.baseUri(), proxyCert.cert(), "--connections", "3", "--pipeline", "4");
        JsonNode rep = r.report();
        assertEquals(0, r.code(), r.printed());
        assertEquals(VIEWERS, rep.path("viewers").path("joined").asLong(), r.printed());
        assertEquals(0, rep.path("errorCount").asLong(), r.printed());
        assertEquals(0, rep.path("verification").path("failures").asLong(), r.printed());
        assertTrue(rep.path("verification").path("signedChecked").asLong() >= VIEWERS,
                "every viewer's signed documents checked: " + rep.path("verification"));
        assertEquals(3, rep.path("connections").asLong(), "three connections opened, each kept for every request on it");
        assertEquals(0, rep.path("sentAgain").asLong());
        assertTrue(rep.path("settings").path("tls").asText().contains("--ca " + proxyCert.cert()),
                rep.path("settings").toString());
    }

    @Test
    @ResourceLock(HANDSHAKING)
    void trustingAnotherCaEveryViewerFailsAtOnceSayingTheCertificateIsNotTrusted() throws Exception {
        Run r = viewers("wrong-ca", proxy.baseUri(), otherCa.cert(), "--connections", "2");
        assertFailedByTls(r, "connect failed: TLS handshake failed: the certificate is not trusted by --ca " + otherCa.cert());
    }

    @Test
    @ResourceLock(HANDSHAKING)
    void aCertificateForAnotherNameIsRefusedSayingSo() throws Exception {
        Path ca = dir.resolve("misnamed-tls.crt");
        Run r = viewers("misnamed", misnamed.baseUri(), ca, "--connections", "2");
        assertFailedByTls(r, "connect failed: TLS handshake failed: the certificate does not name 127.0.0.1");
    }

    @Test
    @ResourceLock(HANDSHAKING)
    void anExpiredCertificateFailsEveryViewerSayingSo() throws Exception {
        Run r = viewers("expired", expired.baseUri(), privateCa.cert(), "--connections", "2");
        assertFailedByTls(r, "connect failed: TLS handshake failed: the certificate is outside its validity (", "");
    }

    @Test
    void aServerThatNeverAnswersTheHandshakeFailsEveryViewerWithinTheConnectTimeout() throws Exception {
        Run r = viewers("silent", silentHttps(), proxyCert.cert(), "--connections", "2");
        assertFailedByTls(r, "connect failed: TLS handshake failed: no handshake within the connect timeout");
    }

    @Test
    @ResourceLock(HANDSHAKING)
    void anHttpsOriginMetricsIsReadWithTheCaOfTheRunHoldingSeveralCas() throws Exception {
        Path bundle = dir.resolve("both-cas.pem");
        Files.writeString(bundle, Files.readString(proxyCert.cert()) + Files.readString(privateCa.cert()));
        String url = "https://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics";
        Run r = viewers("metrics", proxy.baseUri(), bundle, "--origin-metrics", url, "--connections", "4");
        assertEquals(0, r.code(), r.printed());
        JsonNode o = r.report().path("origin");
        assertEquals(5, o.path("requests").asLong(), "read at the start and the end, five more between: " + o);
        assertEquals(5, o.path("byPath").path("/directory").asLong(), o.toString());
    }

    @Test
    @ResourceLock(HANDSHAKING)
    void anHttpsOriginMetricsNotTrustedByCaIsRefusedSayingWhy() throws Exception {
        String url = "https://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics";
        StringWriter err = new StringWriter();
        CommandLine cl = org.rproxy.harness.HarnessMain.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true));
        int code = cl.execute("viewers", "--target", proxy.baseUri(), "--ca", proxyCert.cert().toString(), "--trust",
                origin.publicKey.toString(), "--maps", origin.maps.toString(), "--viewers", "1", "--origin-metrics", url);
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith("harness viewers: --origin-metrics " + url + ": cannot read it (TLS handshake "
                + "failed: the certificate is not trusted by --ca " + proxyCert.cert() + ")"), err.toString());
    }

    @Test
    @ResourceLock(HANDSHAKING)
    void burstOverHttpsHasEveryRequestAnsweredOnConnectionsHandshakenBefore() throws Exception {
        Burst b = burst(proxy.baseUri() + "/directory", proxyCert.cert());
        assertEquals(0, b.code(), b.printed());
        assertTrue(b.printed().contains("statuses {200=20}"), b.printed());
    }

    @Test
    void burstFailsAtOnceSayingWhyTheHandshakeFailed() throws Exception {
        String url = proxy.baseUri() + "/directory";
        Burst wrongCa = burst(url, otherCa.cert());
        assertEquals(1, wrongCa.code(), wrongCa.printed());
        assertTrue(wrongCa.printed().contains("harness burst: cannot connect to " + url
                + ": TLS handshake failed: the certificate is not trusted by --ca " + otherCa.cert()), wrongCa.printed());
        String old = expired.baseUri() + "/directory";
        Burst outdated = burst(old, privateCa.cert());
        assertEquals(1, outdated.code(), outdated.printed());
        assertTrue(outdated.printed().contains("harness burst: cannot connect to " + old
                + ": TLS handshake failed: the certificate is outside its validity ("), outdated.printed());
        String mute = silentHttps() + "/directory";
        Burst unanswered = burst(mute, proxyCert.cert());
        assertEquals(1, unanswered.code(), unanswered.printed());
        assertTrue(unanswered.printed().contains("harness burst: cannot connect to " + mute
                + ": TLS handshake failed: no handshake within the connect timeout"), unanswered.printed());
    }

    private static Burst burst(String url, Path ca) {
        StringWriter out = new StringWriter();
        CommandLine cl = org.rproxy.harness.HarnessMain.commandLine().setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(out, true));
        int code = cl.execute("burst", "--url", url, "--ca", ca.toString(), "--concurrency", "20", "--timeout-seconds", "10");
        return new Burst(code, out.toString());
    }

    record Burst(int code, String printed) {
    }

    private static void assertFailedByTls(Run r, String reason) {
        assertFailedByTls(r, reason, " @ ");
    }

    /** Every viewer failed, none unfinished, and every error kind starts with {@code reason} then {@code then}. */
    private static void assertFailedByTls(Run r, String reason, String then) {
        JsonNode rep = r.report();
        assertEquals(1, r.code(), r.printed());
        assertEquals(VIEWERS, rep.path("viewers").path("failed").asLong(), "every viewer failed: " + r.printed());
        assertEquals(0, rep.path("viewers").path("unfinished").asLong(), "none left waiting: " + r.printed());
        assertTrue(rep.path("connectFailures").asLong() > 0, r.printed());
        Map<String, Object> errors = new ObjectMapper().convertValue(rep.path("errors"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertFalse(errors.isEmpty(), r.printed());
        for (String kind : errors.keySet()) {
            assertTrue(kind.startsWith(reason + then), kind + " in " + errors);
        }
    }
}
