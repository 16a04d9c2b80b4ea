package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

/**
 * Equivalent request targets, sent as raw HTTP/1.1 over a socket, get the signed document of
 * the plain target: absolute form (RFC 9112 §3.2.2) and percent-encoded unreserved characters
 * (RFC 3986 §6.2.2.2), in the path and in the query.
 */
class RequestTargetFormsTest {

    private static Path dir;
    private static Origin origin;
    private static int port;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("target-forms");
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Files.writeString(dir.resolve("signing.key"), key.toPkcs8Pem());
        Path keys = Files.writeString(dir.resolve("keys.yaml"),
                "keys:\n  - file: " + dir.resolve("signing.key") + "\n    signing: true\n");
        origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), Path.of("../conf/maps"), keys,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "target-forms-test", null));
        port = URI.create(origin.baseUri()).getPort();
    }

    @AfterAll
    static void stop() throws IOException {
        if (origin != null) {
            origin.close();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    /** One GET with {@code target} as the request line's target, on a connection of its own. */
    private static Answer get(String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String[] lines = head(in).split("\r\n");
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.get("content-length"));
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, in.readNBytes(length));
        }
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII).trim();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
            "/directory http://127.0.0.1:PORT/directory",
            "/directory http://localhost/directory",
            "/directory /%64irectory",
            "/directory /%64%69%72%65%63%74%6f%72%79",
            "/networkmap/default-network-map http://127.0.0.1:PORT/networkmap/default-network-map",
            "/networkmap/default-network-map /%6Eetworkmap/default%2Dnetwork%2dmap",
            "/cost/map?type=hopcount http://127.0.0.1:PORT/cost/map?type=hopcount",
            "/cost/map?type=hopcount /cost/map?%74ype=%68opcount",
            "/prop/pid http://127.0.0.1:PORT/prop/%70id",
    })
    void anEquivalentTargetGetsTheSignedDocumentOfThePlainOne(String plain, String equivalent) throws IOException {
        Answer expected = get(plain);
        assertEquals(200, expected.status());
        assertNotNull(expected.headers().get("signature"), plain + " is a signed document");
        Answer a = get(equivalent.replace("PORT", String.valueOf(port)));
        assertEquals(200, a.status(), new String(a.body(), StandardCharsets.UTF_8));
        for (String field : List.of("content-type", "content-digest", "etag", "alto-resource", "signature-input",
                "signature")) {
            assertEquals(expected.headers().get(field), a.headers().get(field), field);
        }
        assertArrayEquals(expected.body(), a.body());
    }
}
