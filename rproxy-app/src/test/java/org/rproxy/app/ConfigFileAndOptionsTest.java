package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ProxyConfig;

import picocli.CommandLine;

/**
 * A config file may leave to the command line what the command line gives: the keys the settings
 * require (the upstream, the origin's keys) are required of the file and the options together,
 * for {@code rproxy proxy} in either mode and for {@code rproxy check}; when both leave one out,
 * the refusal names both places.
 */
class ConfigFileAndOptionsTest {

    @TempDir
    Path dir;

    private Path pub;
    private Path file;

    @BeforeEach
    void keyAndSharedFile() throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        pub = dir.resolve("origin.pub");
        file = Files.writeString(dir.resolve("f.yaml"), "cache: {max-bytes: 2MB}\n");
    }

    private ProxyConfig settings(String... args) {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    @Test
    void aFileWithoutUpstreamTakesTheUpstreamAndKeysFromTheOptions() {
        ProxyConfig c = settings("--config", file.toString(), "--upstream", "http://127.0.0.1:9", "--trust",
                pub.toString());
        assertEquals(List.of(URI.create("http://127.0.0.1:9")), c.upstream().urls());
        assertEquals(List.of(pub), c.upstream().trust());
        assertEquals(2L << 20, c.cache().maxBytes().bytes(), "the file's settings are kept");

        ProxyConfig push = settings("--config", file.toString(), "--mode", "push", "--upstream", "http://127.0.0.1:9",
                "--upstream", "http://127.0.0.1:10", "--trust", pub.toString());
        assertEquals(ProxyConfig.Mode.PUSH, push.mode());
        assertEquals(List.of(URI.create("http://127.0.0.1:9"), URI.create("http://127.0.0.1:10")), push.upstream().urls());
    }

    /** An empty file, or one of comments alone, is a file with no keys: the options give them (it was refused as empty). */
    @Test
    void anEmptyFileOrOneOfCommentsAloneTakesEveryRequiredKeyFromTheOptions() throws Exception {
        for (String text : new String[] {"", "# filled in by the unit's options\n"}) {
            Files.writeString(file, text);
            ProxyConfig c = settings("--config", file.toString(), "--upstream", "http://127.0.0.1:9", "--trust",
                    pub.toString());
            assertEquals(List.of(URI.create("http://127.0.0.1:9")), c.upstream().urls());
            assertEquals(List.of(pub), c.upstream().trust());

            CommandRun run = CommandRun.of("check", "--config", file.toString(), "--upstream", "http://127.0.0.1:9",
                    "--trust", pub.toString());
            assertEquals(0, run.exit(), run.toString());

            run = CommandRun.of("proxy", "--config", file.toString(), "--upstream", "http://127.0.0.1:9");
            assertEquals(2, run.exit(), run.toString());
            assertEquals("rproxy proxy: " + file + ": upstream.trust: missing (the origin's public key file(s): give them"
                    + " in " + file + " or as --trust)", run.err().strip());
        }
    }

    @Test
    void aFileWithTheUrlButNoKeysTakesTheKeysFromTheOptionAndTheOtherWayRound() throws Exception {
        Files.writeString(file, "upstream: {url: 'http://127.0.0.1:9', connections: 3}\n");
        ProxyConfig c = settings("--config", file.toString(), "--trust", pub.toString());
        assertEquals(List.of(pub), c.upstream().trust());
        assertEquals(3, c.upstream().connections());

        Files.writeString(file, "upstream: {trust: [" + pub + "]}\n");
        c = settings("--config", file.toString(), "--upstream", "http://127.0.0.1:9");
        assertEquals(URI.create("http://127.0.0.1:9"), c.upstream().url());
    }

    /**
     * The options win over the file: a shared file naming a key file this host does not have
     * (conf/push.yaml's keys/origin.pub) was refused though --trust gave one, and its path was
     * blamed on --trust ('--trust: keys/origin.pub is not a readable file').
     */
    @Test
    void theKeysOfTheOptionReplaceTheFilesWhichAreNotRead() throws Exception {
        Files.writeString(file, "upstream: {url: 'http://127.0.0.1:9', trust: [not-here.pub]}\n");
        assertEquals(List.of(pub), settings("--config", file.toString(), "--trust", pub.toString()).upstream().trust());
        CommandRun run = CommandRun.of("check", "--config", file.toString(), "--trust", pub.toString());
        assertEquals(0, run.exit(), run.toString());

        run = CommandRun.of("check", "--config", file.toString(), "--trust", dir.resolve("nor-here.pub").toString());
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().contains("--trust: " + dir.resolve("nor-here.pub") + " is not a readable file")
                && !run.out().contains("not-here.pub"), run.toString());
        run = CommandRun.of("check", "--config", file.toString());
        assertTrue(run.out().contains(file + ": upstream.trust[0]: not-here.pub is not a readable file"), run.toString());
    }

    /** Likewise the upstreams: a file's upstream that --upstream replaces was refused in --upstream's name. */
    @Test
    void theUpstreamsOfTheOptionReplaceTheFilesWhichAreNotRead() throws Exception {
        for (String upstream : new String[] {"url: 'ftp://old-origin'", "urls: ['http://a:1', 'ftp://b']"}) {
            Files.writeString(file, "upstream: {" + upstream + ", trust: [" + pub + "]}\n");
            assertEquals(List.of(URI.create("http://127.0.0.1:9")),
                    settings("--config", file.toString(), "--upstream", "http://127.0.0.1:9").upstream().urls());
            CommandRun run = CommandRun.of("check", "--config", file.toString(), "--upstream", "http://127.0.0.1:9");
            assertEquals(0, run.exit(), run.toString());
            run = CommandRun.of("check", "--config", file.toString());
            assertTrue(run.exit() == 1 && run.out().contains(file + ": upstream.url"), run.toString());
        }
    }

    @Test
    void whenNeitherGivesThemTheRefusalNamesBothPlaces() throws Exception {
        CommandRun run = CommandRun.of("proxy", "--config", file.toString());
        assertEquals(2, run.exit(), run.toString());
        assertEquals(List.of(
                "rproxy proxy: " + file + ": upstream.url: missing (give it in " + file + " or as --upstream)",
                "rproxy proxy: " + file + ": upstream.trust: missing (the origin's public key file(s): give them in " + file
                        + " or as --trust)"), run.err().lines().toList());

        run = CommandRun.of("proxy", "--config", file.toString(), "--upstream", "http://127.0.0.1:9");
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy proxy: " + file + ": upstream.trust: missing (the origin's public key file(s): give them in "
                + file + " or as --trust)", run.err().strip());

        run = CommandRun.of("proxy", "--config", file.toString(), "--trust", pub.toString());
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy proxy: " + file + ": upstream.url: missing (give it in " + file + " or as --upstream)",
                run.err().strip());
    }

    @Test
    void aBadValueAnOptionFilledInIsRefusedInTheOptionsName() {
        CommandRun run = CommandRun.of("proxy", "--config", file.toString(), "--upstream", "ftp://127.0.0.1:9",
                "--trust", pub.toString());
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy proxy: --upstream: 'ftp://127.0.0.1:9' (expected: http:// or https://)", run.err().strip());
    }

    @Test
    void checkReadsTheFileWithTheOptionsTheNodeStartsWith() {
        CommandRun run = CommandRun.of("check", "--config", file.toString(), "--upstream", "http://127.0.0.1:9",
                "--trust", pub.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith(file + ": OK (pull proxy rproxy on 127.0.0.1:8282 in front of"
                + " http://127.0.0.1:9, 1 trusted key)"), run.toString());

        run = CommandRun.of("check", "--config", file.toString());
        assertEquals(1, run.exit(), run.toString());
        assertEquals(List.of(
                file + ": upstream.url: missing (give it in " + file + " or as --upstream)",
                file + ": upstream.trust: missing (the origin's public key file(s): give them in " + file
                        + " or as --trust)",
                "rproxy check: 2 problems"), run.out().lines().toList());
    }
}
