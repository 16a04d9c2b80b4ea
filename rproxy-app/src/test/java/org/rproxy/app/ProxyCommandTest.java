package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

import picocli.CommandLine;

/** Command-line options of {@code rproxy proxy} land in the settings the proxy starts with. */
class ProxyCommandTest {

    @TempDir
    Path dir;

    /** The settings of {@code rproxy proxy --upstream http://127.0.0.1:8181 --trust origin.pub ARGS}. */
    private ProxyConfig settings(String... args) throws Exception {
        return parsed(args).settings();
    }

    /** The command {@code rproxy proxy --upstream http://127.0.0.1:8181 --trust origin.pub ARGS}, parsed. */
    private ProxyCommand parsed(String... args) throws Exception {
        Path pub = dir.resolve("origin.pub");
        Files.writeString(pub, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey().toSpkiPem());
        List<String> all = new ArrayList<>(List.of("--upstream", "http://127.0.0.1:8181", "--trust", pub.toString()));
        all.addAll(List.of(args));
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs(all.toArray(new String[0]));
        return command;
    }

    @Test
    void queriesAreAnsweredLocallyUnlessToldOtherwise() throws Exception {
        assertEquals(ProxyConfig.Queries.LOCAL, settings().queries());
    }

    @ParameterizedTest
    @CsvSource({"local, LOCAL", "upstream, UPSTREAM", "UPSTREAM, UPSTREAM"})
    void queriesOptionChoosesWhereAnswersComeFrom(String value, ProxyConfig.Queries expected) throws Exception {
        assertEquals(expected, settings("--queries", value).queries());
    }

    @Test
    void aMaxBytesAboveTheJvmsDirectMemoryLimitIsWarnedAboutNamingBoth() throws Exception {
        ProxyCommand command = parsed("--max-bytes", "2GB");
        String warning = ProxyFiles.directMemoryWarning(command.settings(), command.sources(), 1L << 30).orElseThrow();
        assertTrue(warning.startsWith("--max-bytes: 2GB is above this JVM's direct-memory limit, 1024MB"), warning);
        assertTrue(warning.contains("-XX:MaxDirectMemorySize of at least max-bytes"), warning);
        ProxyCommand defaults = parsed();
        assertTrue(ProxyFiles.directMemoryWarning(defaults.settings(), defaults.sources(), 1L << 30).isEmpty(),
                "the default 256MB within a 1GB limit");
    }

    /**
     * A node whose open-file limit is below its connections found out only under load: at
     * {@code ulimit -n 64} a proxy of 10,000 connections started without a word and, past about 26
     * clients, paused accepting with "Too many open files" every second.
     */
    @Test
    void anOpenFileLimitBelowTheConnectionsIsWarnedAboutNamingBoth() throws Exception {
        ProxyCommand defaults = parsed();
        String warning = ProxyFiles.descriptorWarning(defaults.settings(), defaults.sources(), 64).orElseThrow();
        assertTrue(warning.startsWith("listen.max-connections: 10000 connections need as many file descriptors and"
                + " about 256 more, but this process may open 64 files (ulimit -n, LimitNOFILE)"), warning);
        assertTrue(warning.contains("an open-file limit of at least 10256"), warning);
        ProxyCommand fewer = parsed("--max-connections", "500");
        assertTrue(ProxyFiles.descriptorWarning(fewer.settings(), fewer.sources(), 1024).isEmpty(), "500 and 256 fit 1024");
        assertTrue(ProxyFiles.descriptorWarning(fewer.settings(), fewer.sources(), 700).orElseThrow()
                .startsWith("--max-connections: 500 connections"), "named as given");
        assertTrue(ProxyFiles.descriptorWarning(defaults.settings(), defaults.sources(), 65536).isEmpty(),
                "the packaged units' LimitNOFILE");
        assertTrue(ProxyFiles.descriptorWarning(defaults.settings(), defaults.sources(), -1).isEmpty(), "unknown");
    }

    @Test
    void boundsOnSlowReadersThatLeaveTheStoreTooLittleDirectMemoryAreWarnedAbout() throws Exception {
        ProxyCommand command = parsed("--max-bytes", "512MB", "--max-pending-answer-bytes", "600MB");
        String warning = ProxyFiles.directMemoryWarning(command.settings(), command.sources(), 1L << 30).orElseThrow();
        assertTrue(warning.startsWith("--max-pending-answer-bytes, push.max-pending-bytes: with half of cache.max-bytes,"
                + " 1112MB in all, above this JVM's direct-memory limit, 1024MB"), warning);
        assertTrue(ProxyFiles.directMemoryWarning(parsed("--max-bytes", "512MB").settings(), command.sources(),
                1L << 30).isEmpty(), "256MB of copies and two quarters: within the limit");
    }

    @Test
    void bodiesAreSpooledUnlessToldNotToAndMaxBytesKeepsTheSpoolSettings() throws Exception {
        assertTrue(settings().cache().spool());
        assertFalse(settings("--no-spool").cache().spool());
        ProxyConfig both = settings("--spool-dir", dir.toString(), "--max-bytes", "64MB");
        assertTrue(both.cache().spool());
        assertEquals(dir, both.cache().spoolDir());
        assertEquals(64L << 20, both.cache().maxBytes().bytes());
    }

    @Test
    void maxBytesBelowOneMegabyteIsRefusedNamingTheOption() throws Exception {
        assertEquals(1L << 20, settings("--max-bytes", "1MB").cache().maxBytes().bytes());
        assertEquals("--max-bytes: 1KB (expected: >= 1MB)",
                assertThrows(ConfigException.class, () -> settings("--max-bytes", "1KB")).getMessage());
        CommandRun run = CommandRun.of("proxy", "--upstream", "http://127.0.0.1:1", "--trust",
                settings().upstream().trust().get(0).toString(), "--max-bytes", "1KB");
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy proxy: --max-bytes: 1KB (expected: >= 1MB)", run.err().strip());
    }

    @Test
    void sendBufferIsTheKernelsUnlessGivenAndKeepsTheOtherListenSettings() throws Exception {
        assertEquals(0, settings().listen().sendBufferBytes());
        ProxyConfig c = settings("--send-buffer", "256KB", "--max-connections", "500");
        assertEquals(256 * 1024, c.listen().sendBufferBytes());
        assertEquals(500, c.listen().maxConnections());
        ConfigException bad = assertThrows(ConfigException.class, () -> settings("--send-buffer", "1KB"));
        assertEquals("--send-buffer: 1KB (expected: 16KB to 1GB)", bad.getMessage());
    }

    @Test
    void theRequestBodyLimitIsOneMegabyteUnlessGivenAndKeepsTheOtherListenSettings() throws Exception {
        assertEquals(1024 * 1024, settings().listen().maxRequestBodyBytes());
        ProxyConfig c = settings("--max-request-body", "8MB", "--send-buffer", "256KB");
        assertEquals(8 * 1024 * 1024, c.listen().maxRequestBodyBytes());
        assertEquals(256 * 1024, c.listen().sendBufferBytes());
        ConfigException bad = assertThrows(ConfigException.class, () -> settings("--max-request-body", "2GB"));
        assertEquals("--max-request-body: 2GB (expected: 1KB to 1GB)", bad.getMessage());
    }

    @Test
    void theUpdateStreamLimitsAreThePushSettingsAndARefusalNamesTheOption() throws Exception {
        ProxyConfig c = settings("--max-subscribers", "7", "--max-pending-bytes", "1MB");
        assertEquals(7, c.push().maxSubscribers());
        assertEquals(1024 * 1024, c.push().maxPendingBytes().bytes());
        ConfigException none = assertThrows(ConfigException.class, () -> settings("--max-subscribers", "0"));
        assertEquals("--max-subscribers: 0 (expected: >= 1)", none.getMessage());
        ConfigException tiny = assertThrows(ConfigException.class, () -> settings("--max-pending-bytes", "1KB"));
        assertEquals("--max-pending-bytes: 1KB (expected: >= 64KB)", tiny.getMessage());
    }

    @Test
    void theStreamsPerConnectionAreAThousandUnlessGivenAndKeepTheOtherListenSettings() throws Exception {
        assertEquals(1000, settings().listen().maxConcurrentStreams());
        ProxyConfig c = settings("--max-concurrent-streams", "128", "--max-request-body", "8MB");
        assertEquals(128, c.listen().maxConcurrentStreams());
        assertEquals(8 * 1024 * 1024, c.listen().maxRequestBodyBytes());
        ConfigException bad = assertThrows(ConfigException.class, () -> settings("--max-concurrent-streams", "0"));
        assertEquals("--max-concurrent-streams: 0 (expected: 1 to 100000 per connection; each open stream holds a few KB"
                + " of heap)", bad.getMessage());
    }

    @Test
    void theConnectionsPerAddressAreUnlimitedUnlessGivenAndARefusalNamesTheOption() throws Exception {
        assertEquals(0, settings().listen().connectionsPerAddress());
        assertEquals(16, settings("--max-connections-per-address", "16").listen().connectionsPerAddress());
        ConfigException bad = assertThrows(ConfigException.class, () -> settings("--max-connections-per-address", "0"));
        assertEquals("--max-connections-per-address: 0 (expected: 1 to 10000000; leave it out for no such limit)",
                bad.getMessage());
        ConfigException over = assertThrows(ConfigException.class, () -> settings("--max-connections", "100",
                "--max-connections-per-address", "101"));
        assertEquals("--max-connections-per-address: 101 (expected: at most max-connections, 100; one past max-connections"
                + " is refused whatever its address, so a larger limit could never apply)", over.getMessage());
    }

    @Test
    void theAnswersHeldAreTheHeapsShareUnlessGivenAndARefusalNamesTheOption() throws Exception {
        assertEquals(0, settings().listen().answersHeld());
        assertEquals(900, settings("--max-answers-held", "900").listen().answersHeld());
        ConfigException bad = assertThrows(ConfigException.class, () -> settings("--max-answers-held", "0"));
        assertEquals("--max-answers-held: 0 (expected: 4 to 10000000; each may hold an answer on the heap until its client"
                + " takes it, and the last quarter is kept for a connection's first)", bad.getMessage());
    }

    @Test
    void theDrainIsFiveSecondsUnlessGivenAndARefusalNamesTheOption() throws Exception {
        assertEquals(Duration.ofSeconds(5), settings().listen().drainTimeout());
        assertEquals(Duration.ofSeconds(20), settings("--drain-timeout", "20s").listen().drainTimeout());
        ConfigException bad = assertThrows(ConfigException.class, () -> settings("--drain-timeout", "11m"));
        assertEquals("--drain-timeout: 11m (expected: 100ms to 10m)", bad.getMessage());
    }

    @Test
    void theModeOnTheCommandLineWinsOverTheFilesEvenWhenItIsPull() throws Exception {
        Path push = dir.resolve("push.yaml");
        Files.writeString(push, "mode: push\nupstream:\n  url: http://127.0.0.1:8181\n  trust: [" + dir.resolve("origin.pub")
                + "]\n");
        assertEquals(ProxyConfig.Mode.PULL, settings().mode(), "pull without a file");
        assertEquals(ProxyConfig.Mode.PUSH, settings("--config", push.toString()).mode(), "the file's");
        assertEquals(ProxyConfig.Mode.PULL, settings("--config", push.toString(), "--mode", "pull").mode(),
                "given on the command line");
        assertEquals(ProxyConfig.Mode.PUSH, settings("--mode", "PUSH").mode());
    }
}
