package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.testing.CapturedLogs;

/**
 * The origin's side of a key rotation, through its keys file and over HTTP: the next key is
 * published beside the current one, then signs everything, then the old one is gone; a keys
 * file that does not check is refused at start with the entry and the reason, and while
 * running it changes nothing; nor does a key added while running that other users may read, nor
 * a keys file caught half-written in place (the whole is taken once it stays the same a poll).
 * The origins read their keys file every {@link #POLL}, not every second, so that each step is
 * taken in a fraction of a second; the edit in place keeps the default poll, since its writer must
 * finish before the next one.
 */
class KeyRotationTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration POLL = OriginConfig.MIN_KEYS_POLL;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final SigningKey current = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);
    private final SigningKey next = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);

    private Path write(String name, String text) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, text);
        return Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A private key, owner-only as {@code rproxy origin} asks (a key others may read is refused). */
    private Path writeKey(String name, SigningKey key) throws IOException {
        Path tmp = PrivateKeyFiles.write(dir.resolve(name + ".tmp"), key.toPkcs8Pem());
        return Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path keysFile(String entries) throws IOException {
        writeKey("current.key", current);
        writeKey("next.key", next);
        write("current.pub", current.publicKey().toSpkiPem());
        return write("keys.yaml", "keys:\n" + entries.replace("DIR", dir.toString()));
    }

    private Origin start(Path keys) throws IOException {
        return start(keys, Clock.systemUTC());
    }

    private Origin start(Path keys, Clock clock) throws IOException {
        return start(keys, clock, POLL);
    }

    private Origin start(Path keys, Clock clock, Duration poll) throws IOException {
        return Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), Path.of("../conf/maps"), keys,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "rotation-test", null).withKeysPoll(poll), clock);
    }

    /** The directory as served now: the keys it lists and who signed it (verified with those keys). */
    private record Served(List<String> listed, String signedBy) {
    }

    private Served directory(Origin origin) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + "/directory")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        List<Jwk> keys = AltoJson.readDirectory(AltoJson.parse(r.body())).keys();
        ResponseVerifier v = new ResponseVerifier(keys.stream().map(org.rproxy.core.sign.VerificationKey::fromJwk)
                .toList(), Clock.systemUTC());
        Verdict verdict = v.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), Expectation.path("/directory"));
        assertTrue(verdict.valid(), verdict.reason());
        return new Served(keys.stream().map(Jwk::kid).toList(), verdict.keyId());
    }

    private static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> done) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            assertTrue(System.nanoTime() < end, "still " + last + " after " + DEADLINE);
            Thread.onSpinWait();
            last = probe.get();
        }
        return last;
    }

    private Served served(Origin origin) {
        try {
            return directory(origin);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void publishNextThenSwitchThenRetireThroughTheKeysFile() throws Exception {
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        Path keys = keysFile("  - file: DIR/current.key\n    signing: true\n");
        try (Origin origin = start(keys)) {
            assertEquals(new Served(List.of(cur), cur), served(origin));

            keysFile("  - file: DIR/current.key\n    signing: true\n  - file: DIR/next.key\n");
            await(() -> served(origin), s -> s.equals(new Served(List.of(cur, nxt), cur)));

            keysFile("  - file: DIR/current.pub\n  - file: DIR/next.key\n    signing: true\n");
            await(() -> served(origin), s -> s.equals(new Served(List.of(nxt, cur), nxt)));
            assertEquals(nxt, origin.keyId());

            keysFile("  - file: DIR/next.key\n    signing: true\n  - file: DIR/current.key\n    signing: true\n");
            keysFile("  - file: DIR/next.key\n    signing: true\n");
            await(() -> served(origin), s -> s.equals(new Served(List.of(nxt), nxt)));
        }
    }

    /**
     * The directory is signed by every private key the keys file holds (the signing key as
     * {@code alto}, each other as {@code alto-2} ...), so that after the switch a node trusting only
     * the old key still verifies it and learns the next; every other document is signed once. Before,
     * the directory carried the signing key's signature alone, and such a node refused it for good.
     */
    @Test
    void theDirectoryIsSignedByEveryPrivateKeyTheKeysFileHoldsAndTheRestOnce() throws Exception {
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        Path keys = keysFile("  - file: DIR/next.key\n    signing: true\n  - file: DIR/current.key\n");
        try (Origin origin = start(keys)) {
            assertEquals(List.of(nxt, cur), signers(origin, "/directory"));
            assertEquals(List.of(nxt), signers(origin, "/networkmap/default-network-map"));
            HttpResponse<byte[]> r = get(origin, "/directory");
            ResponseVerifier oldOnly = new ResponseVerifier(List.of(current.publicKey()), Clock.systemUTC());
            Verdict v = oldOnly.verify(n -> r.headers().firstValue(n).orElse(null), r.body(),
                    Expectation.path("/directory"));
            assertTrue(v.valid(), v.reason());
            assertEquals(cur, v.keyId());

            keysFile("  - file: DIR/next.key\n    signing: true\n  - file: DIR/current.pub\n");
            await(() -> signersOf(origin, "/directory"), s -> s.equals(List.of(nxt)));
            assertEquals(new Served(List.of(nxt, cur), nxt), served(origin), "the old key still published");
        }
    }

    private HttpResponse<byte[]> get(Origin origin, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(origin.baseUri() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The key ids of the signatures on {@code path}, in the order of its Signature-Input. */
    private List<String> signers(Origin origin, String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = get(origin, path);
        assertEquals(200, r.statusCode(), path);
        String input = String.join(", ", r.headers().allValues("signature-input"));
        return java.util.regex.Pattern.compile("keyid=\"([^\"]+)\"").matcher(input).results()
                .map(m -> m.group(1)).toList();
    }

    private List<String> signersOf(Origin origin, String path) {
        try {
            return signers(origin, path);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aChangeOfKeysThatFailsToApplyLeavesTheKeysInUseWholeAndIsTriedAgain() throws Exception {
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        Path keys = keysFile("  - file: DIR/current.key\n    signing: true\n");
        FailingPublisherClock clock = new FailingPublisherClock();
        try (CapturedLogs logs = CapturedLogs.of(Origin.class); Origin origin = start(keys, clock)) {
            clock.fail(Integer.MAX_VALUE); // signing on the publisher fails: the change of keys cannot be applied
            keysFile("  - file: DIR/current.pub\n  - file: DIR/next.key\n    signing: true\n");
            logs.awaitMessage("applying the changed keys failed", DEADLINE);
            assertEquals(cur, origin.keyId(), "the key in use stays the signing key");
            assertEquals(new Served(List.of(cur), cur), served(origin));

            clock.fail(0); // before, the change was never tried again (and re-signing used the new key)
            await(() -> served(origin), s -> s.equals(new Served(List.of(nxt, cur), nxt)));
            assertEquals(nxt, origin.keyId());
        }
    }

    @Test
    void aKeysFileThatDoesNotCheckIsRefusedAtStartNamingTheEntry() throws IOException {
        assertEquals(dir.resolve("keys.yaml") + ": keys: 2 entries with signing: true (expected: exactly 1)",
                assertThrows(ConfigException.class, () -> start(keysFile(
                        "  - file: DIR/current.key\n    signing: true\n  - file: DIR/next.key\n    signing: true\n")))
                        .getMessage());
        assertEquals(dir.resolve("keys.yaml") + ": keys[0].file: " + dir.resolve("current.pub")
                        + ": a public key cannot sign (expected: the PKCS#8 private key)",
                assertThrows(ConfigException.class, () -> start(keysFile("  - file: DIR/current.pub\n    signing: true\n")))
                        .getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> start(keysFile("  - file: DIR/gone.key\n    signing: true\n")))
                .getMessage().contains("keys[0].file: " + dir.resolve("gone.key") + " is not a readable file"));
        assertEquals(dir.resolve("keys.yaml") + ": keys[1]: missing",
                assertThrows(ConfigException.class, () -> start(keysFile("  - file: DIR/current.key\n    signing: true\n"
                        + "  - ~\n"))).getMessage());
    }

    @Test
    void theExampleKeysFileReadsWithItsKeyInPlace() throws IOException {
        keysFile("  - file: DIR/current.key\n    signing: true\n");
        Path example = write("example.yaml", Files.readString(Path.of("../conf/origin-keys.yaml"))
                .replace("K/origin.key", dir.resolve("current.key").toString()));
        OriginKeys keys = OriginKeys.read(example);
        assertEquals(current.publicKey(), keys.signing().publicKey());
        assertEquals(List.of(current.publicKey()), keys.published());
    }

    @Test
    void aBrokenEditWhileRunningKeepsTheKeysInUse() throws Exception {
        String cur = current.publicKey().keyId();
        Path keys = keysFile("  - file: DIR/current.key\n    signing: true\n");
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class); Origin origin = start(keys)) {
            write("keys.yaml", "keys:\n  - file: " + dir.resolve("next.key") + "\n");
            // Once a poll has read the broken file whole (and refused it), nothing changed.
            logs.awaitMessage("keys file refused, the keys in use stay (signing " + cur + ")", DEADLINE);
            assertEquals(new Served(List.of(cur), cur), served(origin));
            assertEquals(cur, origin.keyId());
        }
    }

    @Test
    void aKeysFileEditedInPlaceIsServedWholeOrNotAtAll() throws Exception {
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        Path keys = keysFile("  - file: DIR/current.key\n    signing: true\n  - file: DIR/next.key\n");
        SigningKey later = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);
        Path laterKey = writeKey("later.key", later);
        byte[] head = ("keys:\n  - file: " + dir.resolve("current.key") + "\n    signing: true\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] rest = ("  - file: " + dir.resolve("next.key") + "\n  - file: " + laterKey + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Logger reloads = (Logger) LoggerFactory.getLogger(KeysReload.class);
        Logger origins = (Logger) LoggerFactory.getLogger(Origin.class);
        Level reloadsLevel = reloads.getLevel();
        Level originsLevel = origins.getLevel();
        reloads.setLevel(Level.DEBUG); // the tests' configuration logs warnings only
        origins.setLevel(Level.INFO);
        try (CapturedLogs polls = CapturedLogs.of(KeysReload.class);
             CapturedLogs changes = CapturedLogs.of(Origin.class);
             Origin origin = start(keys, Clock.systemUTC(), OriginConfig.DEFAULT_KEYS_POLL);
             FileChannel ch = FileChannel.open(keys, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            // An edit in place adding a key, its first piece read by a poll: the current key alone.
            ch.write(ByteBuffer.wrap(head));
            String seen = "(" + keys + ": " + head.length + " bytes, modified ";
            await(() -> polls.events().stream().anyMatch(e -> e.getFormattedMessage().contains(seen))
                    || !origin.publishedKeyIds().equals(List.of(cur, nxt)), Boolean::booleanValue); // a poll read it
            ch.write(ByteBuffer.wrap(rest)); // the rest, well before the next poll
            List<String> whole = List.of(cur, nxt, later.publicKey().keyId());
            await(() -> served(origin), s -> s.equals(new Served(whole, cur)));
            // logged just after the keys are served: a change taken before it was logged before it
            changes.awaitMessage("publishing " + whole, DEADLINE);
            // Before, the first piece was taken: a directory with the current key alone, the next one unpublished.
            assertEquals(List.of("keys changed: signing with keyid " + cur + ", publishing " + whole),
                    changes.events().stream().map(e -> e.getFormattedMessage())
                            .filter(m -> m.startsWith("keys changed")).toList(), "only the whole file is taken");
        } finally {
            reloads.setLevel(reloadsLevel);
            origins.setLevel(originsLevel);
        }
    }

    @Test
    void aKeyOtherUsersMayReadIsRefusedWhenTheKeysFilePicksItUpAndOneItsGroupMayReadIsWarnedOf() throws Exception {
        String cur = current.publicKey().keyId();
        String nxt = next.publicKey().keyId();
        Path keys = keysFile("  - file: DIR/current.key\n    signing: true\n");
        Path nextKey = dir.resolve("next.key");
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class); Origin origin = start(keys)) {
            Files.setPosixFilePermissions(nextKey, PosixFilePermissions.fromString("rw-r--r--"));
            write("keys.yaml", "keys:\n  - file: " + dir.resolve("current.key") + "\n    signing: true\n"
                    + "  - file: " + nextKey + "\n");
            String refused = logs.awaitMessage(nextKey + ": mode 0644", DEADLINE).getFormattedMessage();
            assertEquals("keys file refused, the keys in use stay (signing " + cur + "): " + nextKey + ": mode 0644 lets"
                    + " other users read or change this private key (expected: only its owner; chmod 600 " + nextKey
                    + ")", refused);
            assertEquals(List.of(cur), origin.publishedKeyIds(), "the keys in use stay");
            assertEquals(new Served(List.of(cur), cur), served(origin));

            // As at start: a key its group may read (a credential granted by an ACL shows 0640) is taken, with a word.
            Files.setPosixFilePermissions(nextKey, PosixFilePermissions.fromString("rw-r-----"));
            await(() -> served(origin), s -> s.equals(new Served(List.of(cur, nxt), cur)));
            assertEquals("keys file " + keys + ": " + nextKey + ": mode 0640 lets its group read this private key"
                    + " (chmod 600 " + nextKey + " unless the group must read it)",
                    logs.awaitMessage(nextKey + ": mode 0640", DEADLINE).getFormattedMessage());
            assertEquals(1, logs.events().stream().filter(e -> e.getFormattedMessage().contains("mode 0644")).count(),
                    "refused once, not at every poll: " + logs.events());
        }
    }

    @Test
    void aRefusedEditWithSeveralProblemsIsLoggedOneLineAProblem() throws Exception {
        String cur = current.publicKey().keyId();
        Path keys = keysFile("  - file: DIR/current.key\n    signing: true\n");
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class); Origin origin = start(keys)) {
            write("keys.yaml", "kyes: []\nkeys:\n  - file: " + dir.resolve("current.key") + "\n    signing: perhaps\n");
            String head = "keys file refused, the keys in use stay (signing " + cur + "): " + keys + ": ";
            assertEquals(head + "kyes: unknown key (known: keys)",
                    logs.awaitMessage("kyes: unknown key", DEADLINE).getFormattedMessage());
            assertEquals(head + "keys[0].signing: 'perhaps' is not true or false",
                    logs.awaitMessage("'perhaps'", DEADLINE).getFormattedMessage());
            assertTrue(logs.events().stream().noneMatch(e -> e.getFormattedMessage().contains("\n")),
                    "one line each: " + logs.events());
            assertEquals(List.of(cur), origin.publishedKeyIds(), "the keys in use stay");
        }
    }
}
