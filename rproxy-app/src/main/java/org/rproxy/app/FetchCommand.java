package org.rproxy.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
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

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rproxy fetch}: the verifying client. Fetches from any origin or proxy (it cannot tell
 * which), checks the origin signature with a trusted public key and prints a one-line verdict.
 * Exit code 0 only when the response is signed, intact, current and answers what was asked.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Fetch an ALTO resource from an origin or proxy and verify the origin's signature.",
                "Prints one verdict line; exits 0 only when the response is valid."})
final class FetchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "URL", description = "http(s) URL of the resource.")
    URI url;

    @Option(names = "--trust", required = true, paramLabel = "PUBFILE",
            description = "Origin public key (SPKI PEM). Repeat for several keys.")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--post", paramLabel = "FILE", description = "POST this file as the request body.")
    Path post;

    @Option(names = "--content-type", paramLabel = "TYPE", description = "Content-Type of the POST body.")
    String contentType;

    @Option(names = "--gzip", description = "Ask for the gzip variant (Accept-Encoding: gzip).")
    boolean gzip;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the (decoded) body to FILE ('-' for stdout).")
    Path output;

    @Option(names = "--timeout", defaultValue = "10s", paramLabel = "DURATION", description = "Request timeout (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        List<VerificationKey> keys = new ArrayList<>();
        for (Path p : trust) {
            keys.add(VerificationKey.readPem(p));
        }
        HttpResponse<byte[]> response = send();
        PrintStream out = System.out;
        if (response.statusCode() != 200) {
            out.println("INVALID status " + response.statusCode() + ": " + oneLine(response.body()));
            return 1;
        }
        byte[] body = response.body();
        ResponseVerifier verifier = new ResponseVerifier(keys, Clock.systemUTC());
        String expectedPath = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        Verdict verdict = verifier.verify(
                name -> response.headers().firstValue(name).orElse(null), body,
                new ResponseVerifier.Expectation(expectedPath, null));
        writeBody(response, body);
        if (!verdict.valid()) {
            String derived = response.headers().firstValue("alto-derived-from").orElse(null);
            if (derived != null && response.headers().firstValue("signature").isEmpty()) {
                out.println("UNSIGNED computed answer, derived from: " + derived
                        + " (fetch those maps for proof)");
            } else {
                out.println("INVALID " + verdict.outcome() + ": " + verdict.reason());
            }
            return 1;
        }
        Duration left = Duration.between(Instant.now(), verdict.expires());
        out.println("VALID " + verdict.resource().id()
                + " path=" + verdict.resource().path()
                + " version=" + response.headers().firstValue("etag").orElse("-")
                + " keyid=" + verdict.keyId()
                + " created=" + verdict.created()
                + " expires=" + verdict.expires() + " (in " + human(left) + ")"
                + response.headers().firstValue("via").map(v -> " via=" + v).orElse(""));
        return 0;
    }

    private HttpResponse<byte[]> send() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout);
        if (gzip) {
            b.header("Accept-Encoding", "gzip");
        }
        if (post != null) {
            if (contentType == null) {
                throw new IllegalArgumentException("--post needs --content-type");
            }
            b.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofFile(post));
        } else {
            b.GET();
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void writeBody(HttpResponse<byte[]> response, byte[] body) throws IOException {
        if (output == null) {
            return;
        }
        byte[] decoded = body;
        if ("gzip".equalsIgnoreCase(response.headers().firstValue("content-encoding").orElse(""))) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                decoded = in.readAllBytes();
            }
        }
        if (output.toString().equals("-")) {
            System.out.write(decoded);
            System.out.println();
        } else {
            Files.write(output, decoded);
        }
    }

    private static String oneLine(byte[] body) {
        String s = new String(body, java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static String human(Duration d) {
        if (d.isNegative()) {
            return "past";
        }
        long s = d.getSeconds();
        return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
