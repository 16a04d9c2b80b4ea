package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when a setting cannot be used: {@code check} refuses what {@code proxy}
 * and {@code origin} would refuse at start, and both name the file and the key (or the option
 * given) and the reason, never a Java class. Nothing here listens for long: a refused start
 * exits before it serves.
 */
class OperatorErrorsTest {

    @TempDir
    Path dir;
    Path pub;
    Path key;

    @BeforeEach
    void keys() {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("K").toString()).exit());
        pub = dir.resolve("K/origin.pub");
        key = dir.resolve("K/origin.key");
    }

    private Path yaml(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text.replace("PUB", pub.toString()));
    }

    private static void noJavaClass(CommandRun run) {
        assertFalse(run.err().matches("(?s).*\\b(java|io\\.netty)\\.[a-z]+\\..*"), run.toString());
    }

    @Test
    void anUpstreamPortOutOfRangeIsRefusedByCheckAndByTheProxyNamingTheKeyOrTheOption() throws IOException {
        Path p = yaml("p.yaml", "upstream:\n  url: http://127.0.0.1:99999\n  trust: [PUB]\n");
        CommandRun check = CommandRun.of("check", "--config", p.toString());
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().startsWith(p + ": upstream.url: 'http://127.0.0.1:99999': port 99999 out of range"
                + " (expected: 1-65535)"), check.toString());

        CommandRun proxy = CommandRun.of("proxy", "--upstream", "http://127.0.0.1:99999", "--trust", pub.toString(),
                "--listen", "127.0.0.1:0");
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: --upstream: 'http://127.0.0.1:99999': port 99999 out of range (expected: 1-65535)",
                proxy.err().strip());
    }

    @Test
    void aCaForAnHttpUpstreamIsRefusedRatherThanIgnored() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk-ca.pem"), "not a certificate\n");
        Path p = yaml("p.yaml", "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n  ca: " + junk + "\n");
        CommandRun check = CommandRun.of("check", "--config", p.toString());
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().startsWith(p + ": upstream.ca: " + junk + " is given but the upstream"
                + " http://127.0.0.1:8181 is not https"), check.toString());

        CommandRun proxy = CommandRun.of("proxy", "--upstream", "http://127.0.0.1:8181", "--trust", pub.toString(),
                "--upstream-ca", junk.toString(), "--listen", "127.0.0.1:0");
        assertEquals(2, proxy.exit(), proxy.toString());
        assertTrue(proxy.err().startsWith("rproxy proxy: --upstream-ca: " + junk + " is given but the upstream"),
                proxy.toString());
    }
}
