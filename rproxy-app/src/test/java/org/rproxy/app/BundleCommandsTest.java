package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;

/**
 * {@code rproxy fetch -o} then {@code rproxy verify}, against a real origin: the bundle verifies
 * offline with only the public key, and the same file with one byte changed does not; expiry is
 * enforced unless {@code --at} or {@code --allow-expired} says otherwise.
 */
class BundleCommandsTest {
    @TempDir
    Path dir;

    @Test
    void aFetchedBundleVerifiesOfflineAndOneChangedByteFailsIt() throws Exception {
        Path bundle = dir.resolve("b.http");
        Path body = dir.resolve("body.json");
        String url;
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            url = origin.url("/networkmap/default-network-map");
            CommandRun fetch = CommandRun.of("fetch", url, "--trust", origin.pub().toString(), "-o", bundle.toString(),
                    "--body", body.toString());
            assertEquals(0, fetch.exit(), fetch.toString());
        }
        // The origin is gone: what follows is offline.
        String pub = dir.resolve("origin.pub").toString();
        CommandRun ok = CommandRun.of("verify", bundle.toString(), "--trust", pub);
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().startsWith("VALID default-network-map path=/networkmap/default-network-map version=\""),
                ok.toString());
        // --max-size is a SIZE like every other size option.
        CommandRun sized = CommandRun.of("verify", bundle.toString(), "--trust", pub, "--max-size", "64MB");
        assertEquals(0, sized.exit(), sized.toString());
        CommandRun small = CommandRun.of("verify", bundle.toString(), "--trust", pub, "--max-size", "100B");
        assertEquals(1, small.exit(), small.toString());
        assertTrue(small.out().contains("larger than 100 bytes"), small.toString());
        CommandRun huge = CommandRun.of("verify", bundle.toString(), "--trust", pub, "--max-size", "4GB");
        assertEquals(2, huge.exit(), huge.toString());
        assertEquals("rproxy verify: --max-size: 4GB (expected: < 2GB)", huge.err().strip());
        byte[] file = Files.readAllBytes(bundle);
        assertTrue(new String(file, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200 OK\r\n"));
        assertArrayEquals(Files.readAllBytes(body), SignedBundle.parse(file).body().toArray(),
                "--body wrote the identity body the bundle holds");

        byte[] changed = file.clone();
        int inBody = file.length - 3;
        changed[inBody] ^= 0x01;
        Path tampered = Files.write(dir.resolve("tampered.http"), changed);
        CommandRun bad = CommandRun.of("verify", tampered.toString(), "--trust", pub);
        assertEquals(1, bad.exit(), bad.toString());
        assertEquals("INVALID " + tampered + ": DIGEST_MISMATCH: ", bad.out().substring(0,
                ("INVALID " + tampered + ": DIGEST_MISMATCH: ").length()), bad.toString());

        CommandRun other = CommandRun.of("verify", bundle.toString(), "--trust", dir.resolve("other.pub").toString());
        assertEquals(1, other.exit(), other.toString());
        assertTrue(other.out().contains("UNKNOWN_KEY"), other.toString());
        CommandRun elsewhere = CommandRun.of("verify", bundle.toString(), "--trust", pub, "--path", "/costmap/x");
        assertEquals(1, elsewhere.exit(), elsewhere.toString());
        assertTrue(elsewhere.out().contains("WRONG_RESOURCE"), elsewhere.toString());
    }

    @Test
    void aGzipBundleKeepsTheCompressedBytesAndBodyWritesThemDecoded() throws Exception {
        try (SignedOrigin origin = SignedOrigin.start(dir, false)) {
            Path gz = dir.resolve("gz.http");
            Path body = dir.resolve("body.json");
            String url = origin.url("/directory"); // the sample maps are under the 1 KB a gzip variant needs
            assertEquals(0, CommandRun.of("fetch", url, "--trust", origin.pub().toString(), "--gzip",
                    "-o", gz.toString(), "--body", body.toString()).exit());
            SignedBundle b = SignedBundle.read(gz, SignedBundle.DEFAULT_MAX_BYTES);
            assertEquals("gzip", b.field("content-encoding"));
            assertEquals(0x1f, b.body().toArray()[0] & 0xff, "still gzip");
            assertTrue(Files.readString(body).startsWith("{"), "decoded");
            assertEquals(0, CommandRun.of("verify", gz.toString(), "--trust", origin.pub().toString()).exit());
        }
    }

    @Test
    void anExpiredBundleFailsAsExpiredUnlessAskedOtherwise() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path pub = Files.writeString(dir.resolve("k.pub"), key.publicKey().toSpkiPem());
        Instant created = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        Instant expires = created.plus(1, ChronoUnit.HOURS);
        byte[] body = "{\"meta\":{},\"network-map\":{}}".getBytes(StandardCharsets.UTF_8);
        String type = "application/alto-networkmap+json";
        String digest = ContentDigest.sha256(body);
        String etag = "\"abcdefghijklmnopqrstuv\"";
        String resource = AltoResource.of("default-network-map", "/networkmap/default-network-map").toHeader();
        SignatureHeaders sig = new ResponseSigner(key).sign(type, digest, etag, resource, created, expires);
        Path file = dir.resolve("old.http");
        SignedBundle.of(Map.of("content-type", List.of(type), "content-digest", List.of(digest), "etag", List.of(etag),
                "alto-resource", List.of(resource), "signature-input", List.of(sig.signatureInput()),
                "signature", List.of(sig.signature())), body).write(file);

        CommandRun now = CommandRun.of("verify", file.toString(), "--trust", pub.toString());
        assertEquals(1, now.exit(), now.toString());
        assertTrue(now.out().startsWith("INVALID " + file + ": EXPIRED: expired at " + expires), now.toString());

        CommandRun allowed = CommandRun.of("verify", file.toString(), "--trust", pub.toString(), "--allow-expired");
        assertEquals(0, allowed.exit(), allowed.toString());
        assertTrue(allowed.out().contains(" expires=" + expires + " EXPIRED (accepted: --allow-expired)"),
                allowed.toString());

        Instant within = created.plusSeconds(60);
        CommandRun then = CommandRun.of("verify", file.toString(), "--trust", pub.toString(), "--at", within.toString());
        assertEquals(0, then.exit(), then.toString());
        assertTrue(then.out().endsWith(" as of " + within + "\n"), then.toString());

        assertEquals(2, CommandRun.of("verify", file.toString(), "--trust", pub.toString(), "--at", within.toString(),
                "--allow-expired").exit(), "the two are exclusive");
    }

    @Test
    void aFileThatIsNoBundleIsInvalidWithTheLineAtFaultAndAMissingFileIsAUsageError() throws Exception {
        Path pub = SignedOrigin.anyKey(dir);
        Path notBundle = Files.writeString(dir.resolve("x.json"), "{\"meta\":{}}\n");
        CommandRun run = CommandRun.of("verify", notBundle.toString(), "--trust", pub.toString());
        assertEquals(1, run.exit(), run.toString());
        assertEquals("INVALID " + notBundle + ": not a signed bundle: line 1: bare LF (expected: CRLF line ends)\n",
                run.out(), run.toString());
        CommandRun missing = CommandRun.of("verify", dir.resolve("nope.http").toString(), "--trust", pub.toString());
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("nope.http: no such file"), missing.toString());
    }
}
