package org.rproxy.origin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.testing.CapturedLogs;

/**
 * The keys file's poll driven directly, with the file written between polls as an operator's
 * editor or a config tool writes it in place (truncate, then write in pieces): a piece that
 * parses with keys missing is never taken, only the whole file once it stays the same a poll.
 */
class KeysReloadTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final SigningKey a = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);
    private final SigningKey b = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);
    private final SigningKey c = SigningKey.generate(SignatureAlgorithm.ED25519, RANDOM);

    /** The keys file listing {@code names} (A signs), its key files written first; an atomic replace. */
    private Path keysFile(String... names) throws IOException {
        Path tmp = dir.resolve("keys.yaml.tmp");
        Files.writeString(tmp, text(names));
        return Files.move(tmp, dir.resolve("keys.yaml"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private String text(String... names) throws IOException {
        StringBuilder text = new StringBuilder("keys:\n");
        for (String name : names) {
            SigningKey key = switch (name) {
                case "A" -> a;
                case "B" -> b;
                default -> c;
            };
            Path file = dir.resolve(name + ".key");
            if (!Files.exists(file)) {
                PrivateKeyFiles.write(file, key.toPkcs8Pem());
            }
            text.append("  - file: ").append(file).append('\n').append(name.equals("A") ? "    signing: true\n" : "");
        }
        return text.toString();
    }

    private static List<String> ids(OriginKeys keys) {
        return keys == null ? null : keys.keyIds();
    }

    /** Writes {@code pieces} into {@code file} in place, one after the other, polling after each. */
    private static void writeInPlace(Path file, KeysReload reload, List<List<String>> taken, String... pieces)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (String piece : pieces) {
                ch.write(ByteBuffer.wrap(piece.getBytes(UTF_8)));
                ch.force(true);
                taken.add(ids(reload.poll())); // the origin's poll between the editor's writes
            }
        }
    }

    @Test
    void aKeysFileCaughtHalfWrittenInPlaceIsNotTakenTheWholeIsOnceItStaysTheSame() throws Exception {
        Path keys = keysFile("A", "B");
        KeysReload reload = new KeysReload(keys, OriginKeys.read(keys), OriginConfig.DEFAULT_KEYS_POLL);
        assertNull(reload.poll(), "unchanged");

        // The operator adds C by rewriting the file in place; after its first piece the file lists A alone.
        String whole = text("A", "B", "C");
        int cut = whole.indexOf("  - file: " + dir.resolve("B.key"));
        List<List<String>> taken = new ArrayList<>();
        Logger logger = (Logger) LoggerFactory.getLogger(KeysReload.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' configuration logs warnings only
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class)) {
            writeInPlace(keys, reload, taken, whole.substring(0, cut), whole.substring(cut));
            // Before, the first poll took the half file: A alone, B unpublished for a poll though never removed.
            assertEquals(Arrays.asList(null, null), taken, "nothing is taken while the file is being written");
            assertTrue(logs.events().stream().anyMatch(e -> e.getLevel() == Level.INFO
                            && e.getFormattedMessage().startsWith("keys file " + keys + " changed (" + keys + ": ")
                            && e.getFormattedMessage().endsWith("taking it once it stays the same for a poll (1000 ms),"
                            + " so that a file being written is not taken half-written")),
                    "what is waited for is said: " + logs.events());
        } finally {
            logger.setLevel(level);
        }
        OriginKeys next = reload.poll(); // the file stayed the same since the last poll: taken whole
        assertEquals(OriginKeys.read(keys).keyIds(), ids(next));
        assertEquals(3, next.keyIds().size());
        assertNull(reload.poll(), "taken once");
    }

    @Test
    void aKeyFileItListsCaughtHalfWrittenIsWaitedForNotRefused() throws Exception {
        Path keys = keysFile("A");
        KeysReload reload = new KeysReload(keys, OriginKeys.read(keys), OriginConfig.DEFAULT_KEYS_POLL);
        Path cKey = dir.resolve("C.key");
        String pem = c.toPkcs8Pem();
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class)) {
            PrivateKeyFiles.write(cKey, pem.substring(0, pem.length() / 2)); // C's key file, its first half
            List<List<String>> taken = new ArrayList<>();
            Files.writeString(keys, text("A", "C")); // the keys file listing it
            taken.add(ids(reload.poll()));
            Files.writeString(cKey, pem); // the rest of the key
            taken.add(ids(reload.poll()));
            // Before, the first poll refused the file, a warning naming C's key as not a key (and took it at the next).
            assertTrue(logs.events().stream().noneMatch(e -> e.getFormattedMessage().contains("refused")),
                    "a file being written is not refused: " + logs.events());
            assertEquals(Arrays.asList(null, null), taken, "taken once it stays the same");
            assertEquals(List.of(a.publicKey().keyId(), c.publicKey().keyId()), ids(reload.poll()));
        }
    }

    @Test
    void aFileThatChangesAtEveryPollIsWarnedOfOnce() throws Exception {
        Path keys = keysFile("A");
        KeysReload reload = new KeysReload(keys, OriginKeys.read(keys), OriginConfig.DEFAULT_KEYS_POLL);
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class)) {
            for (int i = 0; i < 2 * KeysReload.STILL_CHANGING; i++) {
                Files.writeString(keys, text("A") + "# edit " + i + "\n");
                assertNull(reload.poll());
            }
            assertEquals(1, logs.events().stream().filter(e -> e.getLevel() == Level.WARN).count(), logs.events()
                    .toString());
            assertTrue(logs.events().stream().anyMatch(e -> e.getFormattedMessage().startsWith("keys file " + keys
                    + " changed at each of the last " + KeysReload.STILL_CHANGING + " polls")));
        }
        assertNull(reload.poll(), "stayed the same: taken, and it lists the keys in use");
    }

    /**
     * A writer that pauses for more than a poll in the middle of an entry, so that what it left
     * stays the same for a poll: it does not check (an entry's file names no readable file), so it
     * is refused with one warning naming the file, the entry and the reason, and never taken; the
     * whole is taken once the writer is done.
     */
    @Test
    void aKeysFileLeftHalfWrittenForMoreThanAPollIsRefusedNamingTheEntryAndNeverTaken() throws Exception {
        Path keys = keysFile("A", "B");
        KeysReload reload = new KeysReload(keys, OriginKeys.read(keys), OriginConfig.DEFAULT_KEYS_POLL);
        String whole = text("A", "B", "C");
        String cPath = dir.resolve("C.key").toString();
        int cut = whole.indexOf(cPath) + cPath.length() - 3; // within C's file name
        List<List<String>> taken = new ArrayList<>();
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class)) {
            try (FileChannel ch = FileChannel.open(keys, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(whole.substring(0, cut).getBytes(UTF_8)));
                taken.add(ids(reload.poll())); // changed: waited for
                taken.add(ids(reload.poll())); // the writer paused: the same for a poll, and it does not check
                ch.write(ByteBuffer.wrap(whole.substring(cut).getBytes(UTF_8)));
                taken.add(ids(reload.poll())); // changed again: waited for
            }
            assertEquals(Arrays.asList(null, null, null), taken, "the half-written file is never taken");
            List<String> warnings = warnings(logs);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("keys file refused, the keys in use stay (signing "
                    + a.publicKey().keyId() + "): " + keys + ": keys[2].file"), warnings.get(0));
            assertTrue(warnings.get(0).contains("is not a readable file"), warnings.get(0));
        }
        assertEquals(3, reload.poll().keyIds().size(), "the whole, once it stayed the same for a poll");
    }

    /**
     * A key file the keys file lists, left half written for more than a poll: it is no key, so the
     * keys file is refused with one warning naming the entry and why, never taken with the key
     * missing or wrong; the key is taken once written whole.
     */
    @Test
    void aListedKeyLeftHalfWrittenForMoreThanAPollIsRefusedAndNeverTaken() throws Exception {
        Path keys = keysFile("A");
        KeysReload reload = new KeysReload(keys, OriginKeys.read(keys), OriginConfig.DEFAULT_KEYS_POLL);
        Path cKey = dir.resolve("C.key");
        String pem = c.toPkcs8Pem();
        List<List<String>> taken = new ArrayList<>();
        try (CapturedLogs logs = CapturedLogs.of(KeysReload.class)) {
            PrivateKeyFiles.write(cKey, pem.substring(0, pem.length() / 2));
            keysFile("A", "C");
            taken.add(ids(reload.poll())); // changed: waited for
            taken.add(ids(reload.poll())); // the key's writer paused: the same for a poll, and no key
            Files.writeString(cKey, pem);
            taken.add(ids(reload.poll())); // changed again: waited for
            assertEquals(Arrays.asList(null, null, null), taken,
                    "a keys file listing a half-written key is never taken");
            List<String> warnings = warnings(logs);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("keys file refused, the keys in use stay (signing "
                    + a.publicKey().keyId() + "): " + keys + ": keys[1].file: " + cKey + ": "), warnings.get(0));
        }
        assertEquals(List.of(a.publicKey().keyId(), c.publicKey().keyId()), ids(reload.poll()));
    }

    private static List<String> warnings(CapturedLogs logs) {
        return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(e -> e.getFormattedMessage())
                .toList();
    }
}
