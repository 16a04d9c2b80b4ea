package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.pull.PullProxy;

import picocli.CommandLine;

/**
 * {@code harness viewers} against a pull proxy serving HTTPS (its {@code listen.tls}), with
 * certificates made in the test: trusting the proxy's certificate by {@code --ca}, every viewer
 * joins over TLS on the few connections it was given (reused and pipelined as over plain HTTP) and
 * everything signed verifies; trusting another CA, or given a certificate for another name, every
 * viewer fails at once with the TLS reason, and the run ends without waiting for any timeout.
 */
class HttpsViewersIT {
    static final int VIEWERS = 200;

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static TestCertificates proxyCert;
    static TestCertificates otherCa;
    static PullProxy proxy;
    static PullProxy misnamed;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start(dir.resolve("origin"));
        proxyCert = TestCertificates.make(dir, "proxy-tls");
        otherCa = TestCertificates.make(dir, "other-ca");
        proxy = PullProxy.start(https(proxyCert));
        // trusted as its own CA, but naming only another host than the 127.0.0.1 the viewers ask for
        misnamed = PullProxy.start(https(TestCertificates.makeFor(dir, "misnamed-tls", "proxy.example")));
    }

    private static ProxyConfig https(TestCertificates cert) {
        ProxyConfig c = Proxies.config("edge", origin.base(), origin.publicKey);
        return c.withListen(new ListenConfig(c.listen().address(), new TlsConfig(cert.cert(), cert.key())));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {misnamed, proxy, origin}) {
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
    void trustingAnotherCaEveryViewerFailsAtOnceSayingTheCertificateIsNotTrusted() throws Exception {
        Run r = viewers("wrong-ca", proxy.baseUri(), otherCa.cert(), "--connections", "2");
        assertFailedByTls(r, "connect failed: TLS handshake failed: the certificate is not trusted by --ca " + otherCa.cert());
    }

    @Test
    void aCertificateForAnotherNameIsRefusedSayingSo() throws Exception {
        Path ca = dir.resolve("misnamed-tls.crt");
        Run r = viewers("misnamed", misnamed.baseUri(), ca, "--connections", "2");
        assertFailedByTls(r, "connect failed: TLS handshake failed: the certificate does not name 127.0.0.1");
    }

    private static void assertFailedByTls(Run r, String reason) {
        JsonNode rep = r.report();
        assertEquals(1, r.code(), r.printed());
        assertEquals(VIEWERS, rep.path("viewers").path("failed").asLong(), "every viewer failed: " + r.printed());
        assertEquals(0, rep.path("viewers").path("unfinished").asLong(), "none left waiting: " + r.printed());
        assertTrue(rep.path("connectFailures").asLong() > 0, r.printed());
        Map<String, Object> errors = new ObjectMapper().convertValue(rep.path("errors"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertFalse(errors.isEmpty(), r.printed());
        for (String kind : errors.keySet()) {
            assertTrue(kind.startsWith(reason + " @ "), kind + " in " + errors);
        }
    }
}
