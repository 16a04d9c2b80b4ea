package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.tls.TestCertificates;

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

    @Test
    void listenAndAdminOnOneAddressOrAnUnresolvableHostAreRefusedByCheckAndAtStart() throws IOException {
        Path same = yaml("same.yaml", "listen: {address: 127.0.0.1:18290}\nadmin: {address: 127.0.0.1:18290}\n"
                + "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        String clash = same + ": admin.address: 127.0.0.1:18290 is listen.address too (127.0.0.1:18290; expected: an"
                + " address or port of its own)";
        CommandRun check = CommandRun.of("check", "--config", same.toString());
        assertEquals(1, check.exit(), check.toString());
        assertEquals(clash, check.out().lines().findFirst().orElse(""), check.toString());
        CommandRun proxy = CommandRun.of("proxy", "--config", same.toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + clash, proxy.err().strip());

        Path nosuch = yaml("n.yaml", "listen: {address: 'nosuch.invalid:8282'}\n"
                + "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        check = CommandRun.of("check", "--config", nosuch.toString());
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().startsWith(nosuch + ": listen.address: cannot resolve host 'nosuch.invalid'"), check.toString());
        proxy = CommandRun.of("proxy", "--config", nosuch.toString());
        // a name that does not resolve now may at the next start (at boot, before the network is up): exit 1
        assertEquals(1, proxy.exit(), proxy.toString());
        assertTrue(proxy.err().startsWith("rproxy proxy: " + nosuch + ": listen.address: cannot resolve host"), proxy.toString());

        CommandRun origin = CommandRun.of("origin", "--maps", maps().toString(), "--key", key.toString(),
                "--listen", "127.0.0.1:18290", "--admin", "127.0.0.1:18290");
        assertEquals(2, origin.exit(), origin.toString());
        assertEquals("rproxy origin: --admin: 127.0.0.1:18290 is --listen too (127.0.0.1:18290; expected: an address"
                + " or port of its own)", origin.err().strip());
        origin = CommandRun.of("origin", "--maps", maps().toString(), "--key", key.toString(),
                "--listen", "nosuch.invalid:8181");
        assertEquals(1, origin.exit(), origin.toString());
        assertTrue(origin.err().startsWith("rproxy origin: --listen: nosuch.invalid:8181: cannot resolve host"), origin.toString());
    }

    @Test
    void aStartRefusesAFileWithEveryProblemCheckListsEachOnALine() throws IOException {
        Path p = yaml("p.yaml", "cache: {max-bytes: 12QB}\nupstream:\n  trust: [PUB]\n");
        CommandRun check = CommandRun.of("check", "--config", p.toString());
        assertEquals(1, check.exit(), check.toString());
        List<String> problems = check.out().lines().filter(l -> !l.startsWith("rproxy check: ")).toList();
        assertEquals(List.of(p + ": cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)",
                p + ": upstream.url: missing (give it in " + p + " or as --upstream)"), problems);
        CommandRun proxy = CommandRun.of("proxy", "--config", p.toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals(problems.stream().map(l -> "rproxy proxy: " + l).toList(), proxy.err().lines().toList());
    }

    @Test
    void aTakenPortIsRefusedNamingTheSettingBeforeAnythingServes() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            Path p = yaml("p.yaml", "listen: {address: '127.0.0.1:0'}\nadmin: {address: '" + at + "'}\n"
                    + "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
            CommandRun proxy = CommandRun.of("proxy", "--config", p.toString());
            assertEquals(1, proxy.exit(), proxy.toString());
            assertEquals("rproxy proxy: " + p + ": admin.address: cannot listen on " + at + ": address already in use", proxy.err().strip());

            proxy = CommandRun.of("proxy", "--upstream", "http://127.0.0.1:8181", "--trust", pub.toString(),
                    "--listen", at);
            assertEquals(1, proxy.exit(), proxy.toString());
            assertEquals("rproxy proxy: --listen: cannot listen on " + at + ": address already in use", proxy.err().strip());

            CommandRun origin = CommandRun.of("origin", "--maps", maps().toString(), "--key", key.toString(),
                    "--listen", "127.0.0.1:0", "--admin", at);
            assertEquals(1, origin.exit(), origin.toString());
            assertEquals("rproxy origin: --admin: cannot listen on " + at + ": address already in use", origin.err().strip());
            assertEquals("", origin.out(), "nothing said to serve: " + origin);
        }
    }

    /** A free loopback port now (closed again: the command is to find it free at its probe). */
    private static String freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    /** Runs {@code args} with the address of the setting named {@code ...setting} taken between its probe and its bind. */
    private static CommandRun takenAfterTheProbe(String setting, String... args) throws IOException {
        List<ServerSocket> taken = new ArrayList<>();
        Listeners.afterProbe = probed -> probed.forEach((name, a) -> {
            if (name.endsWith(setting)) {
                try {
                    taken.add(new ServerSocket(a.port(), 1, InetAddress.getByName(a.host())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        try {
            CommandRun run = CommandRun.of(args);
            assertEquals(1, taken.size(), "the port was taken after the probe: " + run);
            return run;
        } finally {
            Listeners.afterProbe = probed -> { };
            for (ServerSocket s : taken) {
                s.close();
            }
        }
    }

    @Test
    void aPortTakenBetweenTheProbeAndTheBindIsRefusedNamingTheSettingToo() throws IOException {
        String at = freePort();
        Path p = yaml("p.yaml", "listen: {address: '127.0.0.1:0'}\nadmin: {address: '" + at + "'}\n"
                + "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        CommandRun proxy = takenAfterTheProbe("admin.address", "proxy", "--config", p.toString());
        assertEquals(1, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + p + ": admin.address: cannot listen on " + at + ": address already in use",
                proxy.err().strip());

        at = freePort();
        proxy = takenAfterTheProbe("--listen", "proxy", "--upstream", "http://127.0.0.1:8181", "--trust",
                pub.toString(), "--listen", at);
        assertEquals(1, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: --listen: cannot listen on " + at + ": address already in use", proxy.err().strip());
        at = freePort();
        proxy = takenAfterTheProbe("--listen", "proxy", "--mode", "push", "--upstream", "http://127.0.0.1:8181",
                "--trust", pub.toString(), "--listen", at);
        assertEquals(1, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: --listen: cannot listen on " + at + ": address already in use", proxy.err().strip());

        at = freePort();
        CommandRun origin = takenAfterTheProbe("--listen", "origin", "--maps", maps().toString(), "--key",
                key.toString(), "--listen", at);
        assertEquals(1, origin.exit(), origin.toString());
        assertEquals("rproxy origin: --listen: cannot listen on " + at + ": address already in use", origin.err().strip());
        at = freePort();
        origin = takenAfterTheProbe("--admin", "origin", "--maps", maps().toString(), "--key", key.toString(),
                "--listen", "127.0.0.1:0", "--admin", at);
        assertEquals(1, origin.exit(), origin.toString());
        assertEquals("rproxy origin: --admin: cannot listen on " + at + ": address already in use", origin.err().strip());
        assertEquals("", origin.out(), "nothing said to serve: " + origin);
    }

    @Test
    void aBindFailureAtStartIsWordedWithoutJavaClasses() {
        String netty = "cannot listen on 127.0.0.1:18290: io.netty.channel.unix.Errors$NativeIoException: bind(..)"
                + " failed with error(-98): Address already in use";
        assertEquals("cannot listen on 127.0.0.1:18290: address already in use", Listeners.readable(netty,
                new java.net.BindException("bind(..) failed with error(-98): Address already in use")));
        assertEquals("cannot listen on nosuch.invalid:8282: cannot resolve the host", Listeners.readable(
                "cannot listen on nosuch.invalid:8282: java.nio.channels.UnresolvedAddressException",
                new java.nio.channels.UnresolvedAddressException()));
    }

    private Path maps() throws IOException {
        Path maps = dir.resolve("maps");
        if (!Files.isDirectory(maps)) {
            DemoCommand.copySampleMaps(Files.createDirectories(maps));
        }
        return maps;
    }

    @Test
    void startErrorsNameTheFileAndKeyOrTheOptionGiven() throws IOException {
        Path b2 = Files.writeString(dir.resolve("b2.yaml"), "upstream:\n  url: http://127.0.0.1:8181\n  trust: ["
                + key + "]\n");
        String notPublic = b2 + ": upstream.trust[0]: " + key + ": no 'PUBLIC KEY' block "
                + "(found [PRIVATE KEY]: this is a private key; give the public key, origin.pub as rproxy keygen names it)";
        CommandRun check = CommandRun.of("check", "--config", b2.toString());
        assertEquals(notPublic, check.out().lines().findFirst().orElse(""), check.toString());
        CommandRun proxy = CommandRun.of("proxy", "--config", b2.toString(), "--listen", "127.0.0.1:0");
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + notPublic, proxy.err().strip());
        proxy = CommandRun.of("proxy", "--upstream", "http://127.0.0.1:8181", "--trust", key.toString(),
                "--listen", "127.0.0.1:0");
        assertEquals("rproxy proxy: --trust: " + key + ": no 'PUBLIC KEY' block "
                + "(found [PRIVATE KEY]: this is a private key; give the public key, origin.pub as rproxy keygen names it)",
                proxy.err().strip(), proxy.toString());

        Path p = yaml("p.yaml", "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:8181");
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: --listen: " + p + ": upstream.url: 'http://127.0.0.1:8181' is this proxy's own"
                + " listen.address (127.0.0.1:8181): it would be its own upstream", proxy.err().strip());

        Path junk = Files.writeString(dir.resolve("junk.pem"), "junk\n");
        proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:0",
                "--tls-cert", junk.toString(), "--tls-key", junk.toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertTrue(proxy.err().startsWith("rproxy proxy: --tls-cert: cannot use " + junk + " and " + junk + ": "),
                proxy.toString());
        CommandRun origin = CommandRun.of("origin", "--maps", maps().toString(), "--key", key.toString(),
                "--listen", "127.0.0.1:0", "--tls-cert", junk.toString(), "--tls-key", junk.toString());
        assertEquals(2, origin.exit(), origin.toString());
        assertTrue(origin.err().startsWith("rproxy origin: --tls-cert: cannot use " + junk + " and " + junk + ": "),
                origin.toString());
    }

    @Test
    void overlayFileErrorsNameTheFileAndTheKey() throws IOException {
        Path p = yaml("p.yaml", "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        String common = "bind: 203.0.113.7\ndht-port: 16881\nbt-port: 16891\nrouter-bootstrap: true\n";
        Path publicKey = yaml("ov.yaml", common + "key: PUB\nstorage: " + dir.resolve("st") + "\n");
        CommandRun proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:0",
                "--overlay", publicKey.toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + publicKey + ": key: " + pub + ": no 'PRIVATE KEY' block "
                + "(found [PUBLIC KEY]: this is a public key; give the private key, origin.key as rproxy keygen names it)",
                proxy.err().strip());

        Path file = Files.writeString(dir.resolve("a-file"), "");
        Path badStorage = yaml("ov2.yaml", common + "key: " + key + "\nstorage: " + file.resolve("x") + "\n");
        proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:0",
                "--overlay", badStorage.toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + badStorage + ": storage: " + file.resolve("x") + ": cannot be made (" + file
                + " is not a writable folder)", proxy.err().strip());
    }

    @Test
    void overlayAddressesAndPortsTheDhtCannotUseAreRefusedAtStart() throws Exception {
        Path p = yaml("p.yaml", "upstream:\n  url: http://127.0.0.1:1\n  trust: [PUB]\n");
        Path dhtKey = dir.resolve("dht-key");
        assertEquals(0, CommandRun.of("keygen", "--out", dhtKey.toString()).exit());
        String rest = "bt-port: 16891\nbootstrap: [127.0.0.1:1]\nkey: " + dhtKey.resolve("origin.key") + "\nstorage: "
                + dir.resolve("st") + "\n";
        Path loopback = yaml("lo.yaml", "bind: 127.0.0.1\ndht-port: 16881\n" + rest);
        CommandRun proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:0",
                "--overlay", loopback.toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + loopback + ": bind: 127.0.0.1 (expected: a global unicast address; the"
                + " mainline DHT takes no loopback, private, link-local or multicast address)", proxy.err().strip());
        // no bind: every address, so a UDP port taken on loopback is taken for the DHT
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
            Path busy = yaml("busy.yaml", "dht-port: " + taken.getLocalPort() + "\n" + rest);
            proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:0", "--overlay", busy.toString());
            assertEquals(1, proxy.exit(), proxy.toString()); // the machine's state now: started again
            assertEquals("rproxy proxy: " + busy + ": dht-port: cannot listen on 0.0.0.0:" + taken.getLocalPort()
                    + " (UDP): address already in use", proxy.err().strip());
        }
    }

    @Test
    void aPrivateKeyOtherUsersMayReadIsRefusedByCheckAndOriginAndOneTheGroupMayReadIsWarnedOf() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), "keygen's mode");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        String open = key + ": mode 0644 lets other users read or change this private key (expected: only its owner;"
                + " chmod 600 " + key + ")";
        CommandRun check = CommandRun.of("check", "--key", key.toString());
        assertEquals(1, check.exit(), check.toString());
        assertEquals(open, check.out().lines().findFirst().orElse(""), check.toString());
        CommandRun origin = CommandRun.of("origin", "--maps", maps().toString(), "--key", key.toString(),
                "--listen", "127.0.0.1:0");
        assertEquals(2, origin.exit(), origin.toString());
        assertEquals("rproxy origin: " + open, origin.err().strip());

        Path keys = Files.writeString(dir.resolve("origin-keys.yaml"), "keys:\n  - file: " + key + "\n    signing: true\n");
        check = CommandRun.of("check", "--key", keys.toString());
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().contains(open), check.toString());

        // As a LoadCredential= copy whose reader is granted by an ACL shows (0440): let through, with a word.
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--r-----"));
        check = CommandRun.of("check", "--key", key.toString());
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains(key + ": mode 0440 lets its group read this private key (chmod 600 " + key
                + " unless the group must read it) (warning)"), check.toString());
    }

    @Test
    void aPublicKeyGivenAsTheOriginsKeyIsRefusedAsNoPrivateKeyNotForItsMode() throws IOException {
        // origin.pub given for origin.key: mode 0644, as keygen writes it. Being told to chmod 600 a
        // public key sends the operator the wrong way; check says what is wrong, and so must the origin.
        String wrong = pub + ": no 'PRIVATE KEY' block "
                + "(found [PUBLIC KEY]: this is a public key; give the private key, origin.key as rproxy keygen names it)";
        CommandRun check = CommandRun.of("check", "--key", pub.toString());
        assertEquals(1, check.exit(), check.toString());
        assertEquals(wrong, check.out().lines().findFirst().orElse(""), check.toString());
        CommandRun origin = CommandRun.of("origin", "--maps", maps().toString(), "--key", pub.toString(),
                "--listen", "127.0.0.1:0");
        assertEquals(2, origin.exit(), origin.toString());
        assertEquals("rproxy origin: " + wrong, origin.err().strip());
    }

    /** What {@code PrivateKeyFiles} says of {@code file} at mode 0644. */
    private static String open(Path file) {
        return file + ": mode 0644 lets other users read or change this private key (expected: only its owner;"
                + " chmod 600 " + file + ")";
    }

    @Test
    void aTlsKeyOtherUsersMayReadIsRefusedByCheckAndAtStartAsTheOriginsKeyIs() throws Exception {
        TestCertificates tls = TestCertificates.make(dir, "proxy");
        Path p = yaml("p.yaml", "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\nlisten:\n"
                + "  tls: {cert: " + tls.cert() + ", key: " + tls.key() + "}\n");
        CommandRun check = CommandRun.of("check", "--config", p.toString());
        assertEquals(0, check.exit(), "owner-only: taken; " + check);

        Files.setPosixFilePermissions(tls.key(), PosixFilePermissions.fromString("rw-r--r--"));
        check = CommandRun.of("check", "--config", p.toString());
        assertEquals(1, check.exit(), check.toString());
        assertEquals(p + ": listen.tls.key: " + open(tls.key()), check.out().lines().findFirst().orElse(""),
                check.toString());
        CommandRun proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:0");
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + p + ": listen.tls.key: " + open(tls.key()), proxy.err().strip());
        Path plain = yaml("plain.yaml", "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        proxy = CommandRun.of("proxy", "--config", plain.toString(), "--listen", "127.0.0.1:0",
                "--tls-cert", tls.cert().toString(), "--tls-key", tls.key().toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: --tls-key: " + open(tls.key()), proxy.err().strip());

        String[] origin = {"--maps", maps().toString(), "--key", key.toString(), "--listen", "127.0.0.1:0",
                "--tls-cert", tls.cert().toString(), "--tls-key", tls.key().toString()};
        CommandRun run = CommandRun.of(concat("origin", origin));
        assertEquals(2, run.exit(), run.toString());
        assertEquals("rproxy origin: --tls-key: " + open(tls.key()), run.err().strip());
        check = CommandRun.of(concat("check", origin));
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().lines().anyMatch(("--tls-key: " + open(tls.key()))::equals), check.toString());
        Files.setPosixFilePermissions(tls.key(), PosixFilePermissions.fromString("rw-------"));
        check = CommandRun.of(concat("check", origin));
        assertEquals(0, check.exit(), "owner-only: taken; " + check);
        assertFalse(check.out().contains("(warning)"), check.toString());

        // As for the origin's key, one its group may read (a credential granted by an ACL) is taken with a word.
        Files.setPosixFilePermissions(tls.key(), PosixFilePermissions.fromString("r--r-----"));
        String group = tls.key() + ": mode 0440 lets its group read this private key (chmod 600 " + tls.key()
                + " unless the group must read it) (warning)";
        check = CommandRun.of(concat("check", origin));
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().lines().anyMatch(("--tls-key: " + group)::equals), check.toString());
        check = CommandRun.of("check", "--config", p.toString());
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().lines().anyMatch((p + ": listen.tls.key: " + group)::equals), check.toString());
    }

    @Test
    void anOverlayKeyOtherUsersMayReadIsRefusedByCheckAndAtStartAsTheOriginsKeyIs() throws IOException {
        Path p = yaml("p.yaml", "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        Path dhtKey = dir.resolve("dht-key");
        assertEquals(0, CommandRun.of("keygen", "--alg", "ed25519", "--out", dhtKey.toString()).exit());
        Path k = dhtKey.resolve("origin.key");
        Path ov = yaml("ov.yaml", "bind: 203.0.113.7\ndht-port: 16881\nbt-port: 16891\nrouter-bootstrap: true\nkey: "
                + k + "\nstorage: " + dir.resolve("st") + "\n");
        CommandRun check = CommandRun.of("check", "--config", p.toString(), "--overlay", ov.toString());
        assertEquals(0, check.exit(), "owner-only: taken; " + check);

        Files.setPosixFilePermissions(k, PosixFilePermissions.fromString("rw-r--r--"));
        check = CommandRun.of("check", "--config", p.toString(), "--overlay", ov.toString());
        assertEquals(1, check.exit(), check.toString());
        // the proxy's own file is good (its OK line comes first); the overlay's problem is listed
        assertTrue(check.out().lines().anyMatch((ov + ": key: " + open(k))::equals), check.toString());
        CommandRun proxy = CommandRun.of("proxy", "--config", p.toString(), "--listen", "127.0.0.1:0",
                "--overlay", ov.toString());
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals("rproxy proxy: " + ov + ": key: " + open(k), proxy.err().strip());

        Files.setPosixFilePermissions(k, PosixFilePermissions.fromString("r--r-----"));
        check = CommandRun.of("check", "--config", p.toString(), "--overlay", ov.toString());
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().lines().anyMatch((ov + ": key: " + k + ": mode 0440 lets its group read this private key"
                + " (chmod 600 " + k + " unless the group must read it) (warning)")::equals), check.toString());
    }

    /** The arguments after {@code PREFIX} on the unit's line starting with it. */
    private static String unitLine(Path unit, String prefix) throws IOException {
        return Files.readAllLines(unit).stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(prefix + " not in " + unit)).substring(prefix.length());
    }

    @Test
    void theUnitsPreStartCheckIsGivenTheOptionsTheNodeStartsWithAndChecksThemAsTheNodeWould() throws IOException {
        Path units = Path.of("..", "rproxy-dist", "src", "deb", "systemd");
        Path originUnit = units.resolve("rproxy-origin.service");
        // "-": systemd's RestartPreventExitStatus= judges the main process only, so a failed pre-start check
        // would be restarted until the start limit; its failure is recorded, and the node refuses with exit 2.
        String originArgs = unitLine(originUnit, "ExecStart=/usr/bin/rproxy origin ");
        assertEquals(originArgs, unitLine(originUnit, "ExecStartPre=-/usr/bin/rproxy check "));
        Path proxyUnit = units.resolve("rproxy-proxy@.service");
        String proxyArgs = unitLine(proxyUnit, "ExecStart=/usr/bin/rproxy proxy ");
        assertEquals(proxyArgs, unitLine(proxyUnit, "ExecStartPre=-/usr/bin/rproxy check "));
        for (Path unit : List.of(originUnit, proxyUnit)) {
            assertTrue(Files.readAllLines(unit).contains("RestartPreventExitStatus=2"), unit + ": exit 2 is a refused start");
            assertTrue(Files.readAllLines(unit).contains("Restart=on-failure"), unit + ": any other failure is restarted");
        }

        // As systemd expands them, with the operator's options.
        String origin = originArgs.replace("/etc/rproxy/maps", maps().toString()).replace("${RPROXY_ORIGIN_KEY}",
                key.toString());
        String[] accepted = (origin.replace("$RPROXY_ORIGIN_OPTS", "--max-map-file-size 512MB --admin 127.0.0.1:19181"
                + " --listen 127.0.0.1:19180 --access-log")).split(" ");
        CommandRun check = CommandRun.of(concat("check", accepted));
        assertEquals(0, check.exit(), check.toString());
        String[] refused = origin.replace("$RPROXY_ORIGIN_OPTS", "--max-map-file-size 300B --admin 127.0.0.1:19181"
                + " --listen 127.0.0.1:19181").split(" ");
        check = CommandRun.of(concat("check", refused));
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().contains("over the limit of 300 bytes for one maps file (--max-map-file-size)"),
                check.toString());
        assertTrue(check.out().contains("--admin: 127.0.0.1:19181 is --listen too"), check.toString());
        // What the check refused, the node refuses at start with exit 2: the status that is not restarted.
        CommandRun start = CommandRun.of(concat("origin", refused));
        assertEquals(2, start.exit(), start.toString());
        assertEquals("", start.out(), "nothing said to serve: " + start);

        Path p = yaml("edge.yaml", "upstream:\n  url: http://127.0.0.1:8181\n  trust: [PUB]\n");
        String proxy = proxyArgs.replace("/etc/rproxy/%i.yaml", p.toString());
        check = CommandRun.of(concat("check", proxy.replace("$RPROXY_PROXY_OPTS", "--admin 127.0.0.1:19090").split(" ")));
        assertEquals(0, check.exit(), check.toString());
        check = CommandRun.of(concat("check", proxy.replace("$RPROXY_PROXY_OPTS", "--listen 127.0.0.1:8181").split(" ")));
        assertEquals(1, check.exit(), check.toString());
        assertEquals("--listen: " + p + ": upstream.url: 'http://127.0.0.1:8181' is this proxy's own listen.address"
                + " (127.0.0.1:8181): it would be its own upstream", check.out().lines().findFirst().orElse(""));
        start = CommandRun.of(concat("proxy", proxy.replace("$RPROXY_PROXY_OPTS", "--listen 127.0.0.1:8181").split(" ")));
        assertEquals(2, start.exit(), start.toString());
        assertEquals("rproxy proxy: " + check.out().lines().findFirst().orElse(""), start.err().strip());
        // an option the node does not know is a problem of what it starts with, as a bad value is
        check = CommandRun.of("check", "--config", p.toString(), "--no-such-option");
        assertEquals(1, check.exit(), check.toString());
        assertEquals("as an option of 'rproxy proxy': Unknown option: '--no-such-option'",
                check.out().lines().findFirst().orElse(""), check.toString());
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
