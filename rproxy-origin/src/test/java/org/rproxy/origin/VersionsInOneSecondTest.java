package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.Verdict.Outcome;

/**
 * Two versions of a document signed within one second: the later is signed as created after the
 * earlier, so the no-rollback rule of every proxy and client refuses the earlier once the later
 * is held. The origin's clock stands still here, as if both came within the same second.
 */
class VersionsInOneSecondTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String MAP = "/networkmap/default-network-map";
    private static final Pattern CREATED = Pattern.compile(";created=(\\d+)");
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00.400Z");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());

    @Test
    void aVersionSignedInTheSameSecondAsTheLastIsCreatedAfterItAndTheLastIsThenARollback() throws Exception {
        Path maps = copyOfTheSampleMaps();
        Path keyFile = Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
        Clock still = Clock.fixed(NOW, ZoneOffset.UTC);
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, keyFile,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "one-second-test", null), still)) {
            HttpResponse<byte[]> first = get(origin);
            replace(maps.resolve("default-network-map.json"), "130.132.3.0/24", "130.132.4.0/24");
            HttpResponse<byte[]> second = first;
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (!new String(second.body()).contains("130.132.4.0/24")) {
                assertTrue(System.nanoTime() < end, "the edit is not served after " + DEADLINE);
                Thread.sleep(50);
                second = get(origin);
            }
            long a = created(first);
            long b = created(second);
            assertEquals(NOW.getEpochSecond(), a);
            assertTrue(b > a, "the second version is created at " + b + ", the first at " + a);

            ResponseVerifier verifier = new ResponseVerifier(List.of(key.publicKey()),
                    Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC));
            HttpResponse<byte[]> old = first;
            Verdict v = verifier.verify(n -> old.headers().firstValue(n).orElse(null), old.body(),
                    new Expectation(MAP, Instant.ofEpochSecond(b)));
            assertEquals(Outcome.ROLLBACK, v.outcome(), v.reason());
        }
    }

    private HttpResponse<byte[]> get(Origin origin) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + MAP)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static long created(HttpResponse<byte[]> r) {
        Matcher m = CREATED.matcher(r.headers().firstValue("signature-input").orElse(""));
        assertTrue(m.find(), r.headers().toString());
        return Long.parseLong(m.group(1));
    }

    private Path copyOfTheSampleMaps() throws IOException {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        try (var files = Files.list(Path.of("../conf/maps"))) {
            for (Path f : files.toList()) {
                Files.copy(f, maps.resolve(f.getFileName()));
            }
        }
        return maps;
    }

    private static void replace(Path file, String from, String to) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Files.readString(file).replace(from, to));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
