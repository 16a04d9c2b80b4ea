package org.rproxy.harness.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;
import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;

/**
 * Where viewers' addresses come from: the network map of a maps folder (read without touching the
 * cost maps, which may be large), or, when no folder is given, the default network map fetched
 * once from a target before the run (verified when keys are given). The fetch warms that
 * target's cache for the network map; the report's settings say which source was used.
 */
public final class AddressSource {
    private AddressSource() {
    }

    /** The network map of {@code dir}: {@code network-map.json} or {@code default-network-map.json}, else the first file holding one. */
    public static NetworkMap fromFolder(Path dir) throws IOException {
        for (String name : List.of("network-map.json", "default-network-map.json")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return read(dir.resolve(name));
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                if (holdsNetworkMap(p)) {
                    return read(p);
                }
            }
        }
        throw new IOException(dir + ": no network map (a *.json file with a network-map member)");
    }

    private static boolean holdsNetworkMap(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            String head = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            return head.contains("\"network-map\":") || head.contains("\"network-map\" :");
        }
    }

    private static NetworkMap read(Path file) throws IOException {
        JsonNode doc = AltoJson.parse(Files.readAllBytes(file));
        if (doc instanceof ObjectNode o) {
            o.remove("meta"); // the file's vtag may lack the tag the origin fills in; only the prefixes matter here
        }
        return AltoJson.readNetworkMap(doc, new VersionTag("addresses", "t"));
    }

    /**
     * The default network map of the ALTO server at {@code base}, found through its directory.
     *
     * @param tls TLS settings when {@code base} is https (its certificate checked as the viewers' are), else null
     */
    public static NetworkMap fromServer(URI base, List<VerificationKey> trusted, TargetTls tls)
            throws IOException, InterruptedException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls.jdk());
        }
        HttpClient http = b.build();
        try {
            return fromServer(http, base, trusted);
        } catch (SSLException e) {
            throw new IOException(base + ": " + (tls == null ? e.getMessage() : tls.failure(e, base.getHost())), e);
        }
    }

    private static NetworkMap fromServer(HttpClient http, URI base, List<VerificationKey> trusted)
            throws IOException, InterruptedException {
        String root = base.toString().replaceAll("/+$", "");
        HttpResponse<byte[]> dir = get(http, root, "/directory", trusted);
        Documents.DirectoryInfo info = new Documents().directory("d", dir::body, null);
        HttpResponse<byte[]> map = get(http, root, info.networkMap(), trusted);
        return AltoJson.readNetworkMap(AltoJson.parse(map.body()), new VersionTag("addresses", "t"));
    }

    private static HttpResponse<byte[]> get(HttpClient http, String root, String path, List<VerificationKey> trusted)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (SSLException e) {
            throw e; // worded with the trust by the caller
        } catch (IOException e) {
            // a refused connection's exception has no message: the run said "harness viewers: null"
            throw new IOException(root + path + ": " + TransportFailures.reason(e) + " (reading the network map the"
                    + " viewers' addresses are drawn from; --maps reads a folder instead)", e);
        }
        if (r.statusCode() != 200) {
            throw new IOException(root + path + ": HTTP " + r.statusCode());
        }
        if (!trusted.isEmpty()) {
            Verdict v = new ResponseVerifier(trusted, Clock.systemUTC()).verify(
                    n -> r.headers().firstValue(n).orElse(null), r.body(), ResponseVerifier.Expectation.path(path));
            if (!v.valid()) {
                throw new IOException(root + path + ": does not verify: " + v.reason());
            }
        }
        return r;
    }
}
