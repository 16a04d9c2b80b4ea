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
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.TestCertificates;

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

    /**
     * Every other option with a key in the file wins over it as --upstream and --trust do: the
     * file's value, which will not be used, is not checked. A shared file naming a TLS certificate,
     * a CA, an address or a limit that is bad on this host was refused though the options gave
     * good ones ('f.yaml: listen.tls.cert: /elsewhere/c.pem is not a readable file'), and a
     * --mode, --name or --queries given could not stand in for a bad key of the file's root.
     */
    @Test
    void everyOptionGivenReplacesItsKeyInTheFileWhichIsNotChecked() throws Exception {
        TestCertificates tls = TestCertificates.make(dir, "proxy");
        Path spool = Files.createDirectories(dir.resolve("spool"));
        Files.writeString(file, String.join("\n",
                "mode: bogus",
                "name: ''",
                "queries: nowhere",
                "upstream: {url: 'https://127.0.0.1:9', trust: [" + pub + "], ca: /elsewhere/ca.pem, prefetch: [1]}",
                "listen: {address: 'no-such-host.invalid:8282', send-buffer: 1, max-connections: -1,",
                "         tls: {cert: /elsewhere/c.pem, key: /elsewhere/k.pem}}",
                "admin: {address: 'no-such-host.invalid:9'}",
                "cache: {max-bytes: 1, spool: maybe, spool-dir: " + spool + "}",
                "limits: {max-endpoint-pairs: -5}",
                "push: {max-subscribers: -1, max-pending-bytes: 1}", ""));
        String[] options = {"--config", file.toString(), "--mode", "pull", "--name", "p1", "--queries", "local",
                "--upstream-ca", tls.cert().toString(), "--prefetch", "/directory", "--listen", "127.0.0.1:0",
                "--send-buffer", "64KB", "--max-connections", "10", "--tls-cert", tls.cert().toString(), "--tls-key",
                tls.key().toString(), "--admin", "127.0.0.1:0", "--max-bytes", "64MB", "--no-spool",
                "--max-endpoint-pairs", "10", "--max-subscribers", "5", "--max-pending-bytes", "1MB"};
        ProxyConfig c = settings(options);
        assertEquals("p1", c.name());
        assertEquals(ProxyConfig.Queries.LOCAL, c.queries());
        assertEquals(tls.cert(), c.upstream().ca());
        assertEquals(tls.cert(), c.listen().tls().cert());
        assertEquals(10, c.listen().maxConnections());
        assertEquals(64L << 20, c.cache().maxBytes().bytes());
        assertEquals(Boolean.FALSE, c.cache().spool());
        assertEquals(10L, c.limits().maxEndpointPairs());
        assertEquals(5, c.push().maxSubscribers());
        String[] check = new String[options.length + 1];
        check[0] = "check";
        System.arraycopy(options, 0, check, 1, options.length);
        CommandRun run = CommandRun.of(check);
        assertEquals(0, run.exit(), run.toString());

        run = CommandRun.of("check", "--config", file.toString());
        assertEquals(1, run.exit(), run.toString());
        for (String key : List.of("mode", "name", "queries", "upstream.ca", "upstream.prefetch", "listen.address",
                "listen.send-buffer", "listen.max-connections", "listen.tls", "admin.address", "cache.max-bytes",
                "cache.spool", "limits.max-endpoint-pairs", "push.max-subscribers")) {
            assertTrue(run.out().contains(file + ": " + key), key + " checked without the option: " + run);
        }
    }

    /**
     * The file's keys checked against each other see the address --listen gives, not the default
     * in place of the file's: with listen.address dropped, a proxy of a chain on one host (its
     * upstream at the default 127.0.0.1:8282) or one whose admin listener is there was refused as
     * its own upstream, or as listening twice on one address, though --listen put it elsewhere.
     * A clash with the address --listen gives is still refused, in --listen's name.
     */
    @Test
    void theFilesOtherKeysAreCheckedAgainstTheAddressListenGives() throws Exception {
        Files.writeString(file, "listen: {address: '127.0.0.1:8383'}\nadmin: {address: '127.0.0.1:8282'}\n"
                + "upstream: {url: 'http://127.0.0.1:8282', trust: [" + pub + "]}\n");
        ProxyConfig c = settings("--config", file.toString(), "--listen", "127.0.0.1:8484");
        assertEquals(8484, c.listen().address().port());
        assertEquals(8282, c.admin().address().port());
        CommandRun run = CommandRun.of("check", "--config", file.toString(), "--listen", "127.0.0.1:8484");
        assertEquals(0, run.exit(), run.toString());

        run = CommandRun.of("check", "--config", file.toString(), "--listen", "127.0.0.1:8282");
        assertEquals(1, run.exit(), run.toString());
        assertEquals(List.of("--listen: " + file + ": admin.address: 127.0.0.1:8282 is listen.address too (127.0.0.1:8282;"
                        + " expected: an address or port of its own)",
                "--listen: " + file + ": upstream.url: 'http://127.0.0.1:8282' is this proxy's own listen.address"
                        + " (127.0.0.1:8282): it would be its own upstream"),
                run.out().lines().filter(l -> l.startsWith("--listen")).toList(), run.toString());
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
                + " http://127.0.0.1:9, 1 trusted key: " + VerificationKey.readPem(pub).keyId() + ")"), run.toString());

        run = CommandRun.of("check", "--config", file.toString());
        assertEquals(1, run.exit(), run.toString());
        assertEquals(List.of(
                file + ": upstream.url: missing (give it in " + file + " or as --upstream)",
                file + ": upstream.trust: missing (the origin's public key file(s): give them in " + file
                        + " or as --trust)",
                "rproxy check: 2 problems"), run.out().lines().toList());
    }
}
