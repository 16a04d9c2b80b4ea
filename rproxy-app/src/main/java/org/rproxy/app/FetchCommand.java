package org.rproxy.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.server.TargetForm;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.Tls;
import org.rproxy.core.upstream.LimitedBody;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rproxy fetch}: the verifying client. Fetches from any origin or proxy (it cannot tell
 * which), checks the origin signature with a trusted public key and prints a one-line verdict;
 * the exit code says which kind of outcome it was ({@link FetchOutcome}). What it writes out (a
 * signed bundle, the body) is written only when the response is valid. Runs once, on the main
 * thread.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Fetch an ALTO resource from an origin or proxy and verify the origin's signature.",
                "Prints one line: VALID, or INVALID, UNSIGNED, UNREACHABLE, TIMEOUT, TLS-FAILURE, REFUSED or (with"
                        + " --origin) CLOCK with the URL and the reason (on stderr when -o - or --body - sends data to"
                        + " stdout)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:VALID: signed by a trusted key, intact, current, for this URL's resource",
                "1:INVALID or UNSIGNED: a response came but is not a valid signed answer",
                "2:usage or configuration error", "3:UNREACHABLE: connection refused, unknown host, no route",
                "4:TIMEOUT: no connection or no complete response within --timeout",
                "5:TLS-FAILURE: untrusted or wrong certificate, failed handshake",
                "6:REFUSED: an error status (with the ALTO error's code and field)",
                "7:CLOCK: with --origin, every copy sent was valid only at another time: this machine's clock looks"
                        + " wrong (set it right, e.g. by NTP)"})
final class FetchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL",
            description = "http(s) URL of the resource; with --origin, its path (e.g. /networkmap/default-network-map).")
    URI url;

    @Option(names = "--trust", paramLabel = "PUBFILE",
            description = "Origin public key (SPKI PEM). Repeat for several keys (one with --origin).")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "URL",
            description = {"Discover the sources: read this origin's signed directory, ask the RProxies it lists",
                    "(the cheapest first with --client-address, else in its order), fall back to the next and to the",
                    "origin last (needs --keyid or one --trust)."})
    URI origin;

    @Option(names = "--client-address", paramLabel = "IP",
            description = "With --origin: rank the RProxies by routing cost from this address (the maps are fetched first).")
    String clientAddress;

    @Option(names = "--keyid", paramLabel = "ID", parameterConsumer = OptionConverters.Verbatim.class,
            description = "With --origin: pin the origin's key by its key id (RFC 7638 thumbprint) instead of a PEM file.")
    String keyId;

    @Option(names = "--post", paramLabel = "FILE", description = "POST this file as the request body.")
    Path post;

    @Option(names = "--content-type", paramLabel = "TYPE", description = "Content-Type of the POST body.")
    String contentType;

    @Option(names = "--gzip", description = "Ask for the gzip variant (Accept-Encoding: gzip).")
    boolean gzip;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = {"Keep the valid response as a signed bundle in FILE ('-' for stdout): the HTTP message",
                    "with its signature, which `rproxy verify FILE --trust ...` checks offline."})
    Path output;

    @Option(names = "--body", paramLabel = "FILE",
            description = "Write the valid response's body, decoded (gunzipped), to FILE ('-' for stdout).")
    Path body;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "CA certificate(s) (PEM) to trust for https (default: the JDK's trust store).")
    Path ca;

    @Option(names = "--timeout", defaultValue = "10s", paramLabel = "DURATION",
            description = "Connect timeout, and again for the whole response, body included (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--max-body", defaultValue = "64MB", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "The largest body accepted; a larger one is refused as it comes (default ${DEFAULT-VALUE}).")
    ByteSize maxBody;

    @Override
    public Integer call() throws Exception {
        if (origin != null) {
            return discovering();
        }
        if (keyId != null || trust.isEmpty()) {
            throw new IllegalArgumentException(keyId != null ? "--keyid needs --origin" : "give --trust PUBFILE");
        }
        if (isStdout(output) && isStdout(body)) {
            throw new IllegalArgumentException("-o - and --body - both want stdout: give one of them a file");
        }
        List<VerificationKey> keys = new ArrayList<>();
        for (Path p : trust) {
            keys.add(VerificationKey.readPem(p));
        }
        HttpClient client = client();
        HttpRequest request = request();
        PrintWriter verdictOut = isStdout(output) || isStdout(body) ? spec.commandLine().getErr() : spec.commandLine().getOut();
        HttpResponse<byte[]> response;
        try {
            response = LimitedBody.send(client, request, timeout, maxBody());
        } catch (IOException e) {
            return report(verdictOut, FetchFailures.of(e, timeout));
        }
        if (response.statusCode() != 200) {
            return report(verdictOut, FetchFailures.refused(response.statusCode(),
                    response.headers().firstValue("content-type").orElse(null), response.body()));
        }
        // compared in the normal form the origin signs and looks documents up by: /%64irectory is /directory
        String expectedPath = TargetForm.normalise((url.getRawPath() == null || url.getRawPath().isEmpty() ? "/"
                : url.getRawPath()) + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
        // a field sent on several lines is verified as its lines joined, as HTTP combines them and
        // as the bundle written below holds it: the first line alone could verify while the
        // bundle does not
        Verdict verdict = new ResponseVerifier(keys, Clock.systemUTC()).verify(
                name -> joined(response, name), response.body(),
                new ResponseVerifier.Expectation(expectedPath, null));
        if (!verdict.valid()) {
            String derived = response.headers().firstValue("alto-derived-from").orElse(null);
            if (derived != null && response.headers().firstValue("signature").isEmpty()) {
                return report(verdictOut, new FetchFailures.Failure(FetchOutcome.UNSIGNED,
                        "a computed answer, derived from: " + derived + " (fetch those maps for proof)"));
            }
            return report(verdictOut, new FetchFailures.Failure(FetchOutcome.INVALID,
                    verdict.outcome() + ": " + verdict.reason()));
        }
        writeOutputs(response);
        verdictOut.println(FetchOutcome.VALID.word() + " " + verdict.resource().id()
                + " path=" + verdict.resource().path()
                + " version=" + response.headers().firstValue("etag").orElse("-")
                + " keyid=" + verdict.keyId()
                + " created=" + verdict.created()
                + " expires=" + verdict.expires() + " (in " + human(Duration.between(Instant.now(), verdict.expires()))
                + ")" + response.headers().firstValue("via").map(v -> " via=" + v).orElse(""));
        verdictOut.flush();
        return FetchOutcome.VALID.exitCode();
    }

    /** The lines of field {@code name} joined with ", ", or null when absent. */
    private static String joined(HttpResponse<byte[]> response, String name) {
        List<String> lines = response.headers().allValues(name);
        return lines.isEmpty() ? null : String.join(", ", lines);
    }

    private int discovering() {
        if ((keyId == null) == (trust.size() != 1)) {
            throw new IllegalArgumentException("--origin needs exactly one of --keyid ID or --trust PUBFILE");
        }
        if (output != null || body != null || post != null || gzip || ca != null) {
            throw new IllegalArgumentException("--origin fetches and verifies documents only: drop -o, --body, --post, "
                    + "--gzip and --ca");
        }
        return OriginFetch.run(origin, keyId, keyId == null ? trust.get(0) : null, url.toString(), timeout, maxBody(),
                clientAddress, spec.commandLine().getOut());
    }

    private int report(PrintWriter out, FetchFailures.Failure failure) {
        out.println(failure.outcome().word() + " " + url + ": " + failure.reason());
        out.flush();
        return failure.outcome().exitCode();
    }

    private HttpClient client() {
        // HTTP/1.1, as the client library (--origin) speaks: a source offered h2c could take HTTP/2
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
        if (ca != null) {
            try {
                b.sslContext(Tls.jdkClient(ca));
            } catch (ConfigException e) {
                throw new IllegalArgumentException("--ca " + ca + ": " + e.getCause().getMessage(), e);
            }
        }
        return b.build();
    }

    /** {@code --max-body} as the int the body reader takes. */
    int maxBody() {
        if (maxBody.bytes() < 1024 || maxBody.bytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--max-body: " + maxBody + " (expected: 1KB to 2GB)");
        }
        return (int) maxBody.bytes();
    }

    private HttpRequest request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout);
        if (gzip) {
            b.header("Accept-Encoding", "gzip");
        }
        if (post != null) {
            if (contentType == null) {
                throw new IllegalArgumentException("--post needs --content-type");
            }
            byte[] content;
            try {
                content = Files.readAllBytes(post);
            } catch (IOException e) {
                throw new IllegalArgumentException("--post " + post + ": cannot read it (" + IoProblems.reason(e) + ")", e);
            }
            b.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(content));
        } else {
            b.GET();
        }
        return b.build();
    }

    private void writeOutputs(HttpResponse<byte[]> response) throws IOException {
        try {
            writeBundle(response);
        } catch (IOException e) {
            throw new IllegalArgumentException("-o " + output + ": cannot write it (" + IoProblems.reason(e) + ")", e);
        }
        try {
            writeBody(response);
        } catch (IOException e) {
            throw new IllegalArgumentException("--body " + body + ": cannot write it (" + IoProblems.reason(e) + ")", e);
        }
    }

    private void writeBundle(HttpResponse<byte[]> response) throws IOException {
        if (output != null) {
            SignedBundle bundle = SignedBundle.of(response.headers().map(), response.body());
            if (isStdout(output)) {
                System.out.write(bundle.toBytes());
                System.out.flush();
            } else {
                bundle.write(output);
            }
        }
    }

    private void writeBody(HttpResponse<byte[]> response) throws IOException {
        if (body != null) {
            byte[] decoded = response.body();
            if ("gzip".equalsIgnoreCase(response.headers().firstValue("content-encoding").orElse(""))) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(decoded))) {
                    decoded = in.readAllBytes();
                }
            }
            if (isStdout(body)) {
                System.out.write(decoded);
                System.out.flush();
            } else {
                Files.write(body, decoded);
            }
        }
    }

    private static boolean isStdout(Path p) {
        return p != null && p.toString().equals("-");
    }

    static String human(Duration d) {
        if (d.isNegative()) {
            return "past";
        }
        long s = d.getSeconds();
        return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
