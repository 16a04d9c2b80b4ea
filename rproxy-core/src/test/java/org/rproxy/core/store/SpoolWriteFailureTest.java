package org.rproxy.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.testing.CapturedLogs;
import org.slf4j.LoggerFactory;

/**
 * A spool that cannot write its files (here its directory is gone, as a temporary-files cleaner
 * leaves it; a full disk or no descriptor left fail the same way) says so once, with the
 * directory and the reason, while every large body is written from memory, and says when it
 * spools again and how many bodies it could not spool meanwhile. Before, each body taken while the
 * disk stayed full (each refresh of each large document) logged a warning with its stack trace.
 */
class SpoolWriteFailureTest {
    private static final int MIN = 64 * 1024;

    @TempDir
    Path parent;
    BodySpool spool;

    @AfterEach
    void close() {
        if (spool != null) {
            spool.close();
        }
    }

    private static Bytes body(int seed) {
        byte[] b = new byte[MIN];
        new Random(seed).nextBytes(b);
        return Bytes.wrap(b);
    }

    private static List<String> said(CapturedLogs logs, Level level) {
        return logs.events().stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aSpoolThatCannotWriteSaysSoOnceAndSaysWhenItSpoolsAgain() throws Exception {
        spool = BodySpool.open(parent, MIN, Runnable::run);
        Path dir = spool.directory();
        Logger logger = (Logger) LoggerFactory.getLogger(BodySpool.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' configuration says WARN and above
        try (CapturedLogs logs = CapturedLogs.of(BodySpool.class)) {
            deleteAll(dir);
            Bytes[] unspooled = {body(1), body(2), body(3)};
            for (Bytes b : unspooled) {
                assertFalse(spool.hold(b), "not spooled: written from memory");
                assertNull(spool.acquire(b));
            }
            List<String> warnings = said(logs, Level.WARN);
            assertEquals(1, warnings.size(), "said once for the run of failures: " + warnings);
            assertTrue(warnings.get(0).startsWith("cannot spool a body of " + MIN + " bytes in " + dir + ": "
                    + dir.resolve("body-1") + ": no such file; bodies of " + MIN + " bytes or more are written from"
                    + " memory"), warnings.get(0));
            assertTrue(logs.events().stream().allMatch(e -> e.getLevel() != Level.WARN || e.getThrowableProxy() == null),
                    "the reason is in the line, without a stack trace");

            Files.createDirectory(dir);
            Bytes later = body(4);
            assertTrue(spool.hold(later), "spooled again once a file can be written");
            assertEquals(List.of("spooling in " + dir + " again; 3 bodies were written from memory meanwhile"),
                    said(logs, Level.INFO));
            spool.letGo(later);

            deleteAll(dir);
            assertFalse(spool.hold(body(5)));
            assertEquals(2, said(logs, Level.WARN).size(), "a new run of failures is said again");
        } finally {
            logger.setLevel(level);
        }
    }

    private static void deleteAll(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
