package org.rproxy.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.sign.VerificationKey;

class CheckCommandTest {
    private static final String MAP = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]},\"PID2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";

    @Test
    void aMapsFolderWithThreeDifferentMistakesPrintsAllThree(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("default-network-map.json"), MAP);
        Files.writeString(dir.resolve("bad-net.json"), MAP.replace("10.0.0.0/8", "10.0.0.0/33"));
        Files.writeString(dir.resolve("costs.json"), "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"nosuch\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":1}}}");
        Files.writeString(dir.resolve("props.json"), "{\"endpoint-properties\": {\"ipv4:10.0.0.1\": ");

        CommandRun run = CommandRun.of("check", "--maps", dir.toString());

        assertEquals(1, run.exit(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertEquals(4, lines.size(), run.toString());
        assertEquals(dir.resolve("bad-net.json") + ": network-map/PID1/ipv4[0]: prefix length 33 (expected: 0-32)",
                lines.get(0));
        assertTrue(lines.get(1).startsWith(dir.resolve("props.json") + ": "), run.toString());
        assertEquals(dir.resolve("costs.json") + ": meta/dependent-vtags[0]/resource-id: no network map named 'nosuch'"
                + " in the folder (have: [default-network-map])", lines.get(2));
        assertEquals("rproxy check: 3 problems", lines.get(3));
    }

    @Test
    void anOriginRefusesTheFolderWithTheSameProblemsEachOnALineOfItsOwn(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("default-network-map.json"), MAP);
        Files.writeString(maps.resolve("notes.json"), "{\"hello\": 1}");
        Files.writeString(maps.resolve("bad-net.json"), MAP.replace("10.0.0.0/8", "10.0.0.0/33"));
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        List<String> problems = CommandRun.of("check", "--maps", maps.toString()).out().lines()
                .filter(l -> !l.startsWith("rproxy check:")).toList();
        assertEquals(2, problems.size(), problems.toString());

        CommandRun run = CommandRun.of("origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(),
                "--key", dir.resolve("origin.key").toString());

        assertEquals(2, run.exit(), run.toString());
        assertEquals(problems.stream().map(p -> "rproxy origin: " + p).toList(), run.err().lines().toList());
    }

    @Test
    void anOriginRefusesAProxyUrlThatClientsWouldRefuse(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());

        CommandRun run = CommandRun.of("origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(),
                "--key", dir.resolve("origin.key").toString(), "--proxy", "http://127.0.0.1:8282",
                "--proxy", "localhost:8283");

        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("rproxy origin: --proxy: localhost:8283 (expected: an absolute http or https URL"),
                run.toString());
    }

    @Test
    void theSampleMapsAndAFreshKeyAreOk(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());

        CommandRun run = CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString());

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains(maps + ": OK (1 network map, 2 cost maps, 1 endpoint property map;"
                + " default default-network-map)"), run.toString());
        assertTrue(run.out().contains(dir.resolve("origin.key") + ": OK (key id "), run.toString());
        assertTrue(run.out().contains(maps + ": within --max-maps-documents 1000, --max-maps-total-size "), run.toString());
        assertTrue(run.out().contains("(defaults for this check's heap; give the origin's options after --maps and --key"
                + " to check against its own)"), run.toString());
    }

    @Test
    void theMapsLimitsCheckedAreTheOriginsOptionsWhenGiven(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());

        CommandRun run = CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--max-maps-total-size", "64MB", "--max-network-map-size", "2MB", "--max-maps-documents", "10");

        assertEquals(0, run.exit(), run.toString());
        String line = maps + ": within --max-maps-documents 10, --max-maps-total-size 64MB, --max-network-map-size 2MB";
        assertTrue(run.out().lines().anyMatch(line::equals), run.toString());
    }

    @Test
    void aKeysFileIsReadAsTheOriginReadsIt(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("a").toString()).exit());
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("b").toString()).exit());
        Path keys = Files.writeString(dir.resolve("keys.yaml"), "keys:\n  - file: " + dir.resolve("a/origin.key")
                + "\n    signing: true\n  - file: " + dir.resolve("b/origin.key") + "\n");
        String a = VerificationKey.readPem(dir.resolve("a/origin.pub")).keyId();
        String b = VerificationKey.readPem(dir.resolve("b/origin.pub")).keyId();

        CommandRun ok = CommandRun.of("check", "--key", keys.toString());
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().contains(keys + ": OK (key id " + a + ", also publishing " + b + ")"), ok.toString());

        Files.writeString(keys, "keys:\n  - file: " + dir.resolve("b/origin.pub") + "\n    signing: true\n");
        CommandRun bad = CommandRun.of("check", "--key", keys.toString());
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.out().contains(keys + ": keys[0].file: " + dir.resolve("b/origin.pub")
                + ": a public key cannot sign (expected: the PKCS#8 private key)"), bad.toString());
    }

    @Test
    void aProxyConfigIsCheckedWithTheFilesItNames(@TempDir Path dir) throws Exception {
        Path notAKey = Files.writeString(dir.resolve("origin.pub"), "not a key\n");
        Path config = Files.writeString(dir.resolve("pull.yaml"), String.join("\n",
                "upstream: {url: 'http://127.0.0.1:8181', trust: [" + notAKey + "]}",
                "cache: {max-bytes: 12QB}",
                "refresh: {tick: 0s}",
                "listen: {adress: 127.0.0.1:8282}",
                ""));

        CommandRun run = CommandRun.of("check", "--config", config.toString());

        assertEquals(1, run.exit(), run.toString());
        assertEquals(List.of(
                config + ": cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)",
                config + ": refresh.tick: 0s (expected: > 0)",
                config + ": listen.adress: unknown key (known: address, drain-timeout, max-answers-held, max-concurrent-streams, max-connections, max-connections-per-address, max-pending-answer-bytes, max-request-body, max-unfinished-streams, send-buffer, tls)",
                "rproxy check: 3 problems"), run.out().lines().toList());

        Files.writeString(config, "upstream: {url: 'http://127.0.0.1:8181', trust: [" + notAKey + "]}\n"
                + "cache: {spool-dir: " + notAKey + "}\n");
        run = CommandRun.of("check", "--config", config.toString());
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().startsWith(config + ": upstream.trust[0]: " + notAKey + ": "), run.toString());
        assertTrue(run.out().contains(config + ": cache.spool-dir: " + notAKey + " is not a writable directory"),
                run.toString());
        Files.writeString(config, "upstream: {url: 'http://127.0.0.1:8181', trust: [" + notAKey + "]}\n");

        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString(), "--force").exit());
        run = CommandRun.of("check", "--config", config.toString());
        assertEquals(0, run.exit(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.toString());
        assertEquals(config + ": OK (pull proxy rproxy on 127.0.0.1:8282 in front of http://127.0.0.1:8181,"
                + " 1 trusted key: " + VerificationKey.readPem(notAKey).keyId() + ")", lines.get(0));
        assertTrue(lines.get(1).startsWith(config + ": upstream answers waiting for verification and query bodies forwarded"
                + " until answered within"
                + " upstream.max-unverified-bytes "), lines.get(1));
        assertTrue(lines.get(1).endsWith(" (the default for this check's heap, 1/8 of it and at least max-body; the proxy"
                + " takes that share of its own)"), lines.get(1));
    }

    /**
     * In a key rotation, before the old key is retired, the operator checks that every proxy has
     * been given the next key: the check names each key a proxy trusts by the id keygen printed,
     * in the file's order. It gave a count alone ("2 trusted keys").
     */
    @Test
    void theKeysAProxyTrustsAreNamedByTheirIds(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("K").toString()).exit());
        assertEquals(0, CommandRun.of("keygen", "--out", dir.resolve("K2").toString()).exit());
        Path old = dir.resolve("K/origin.pub");
        Path next = dir.resolve("K2/origin.pub");
        Path config = Files.writeString(dir.resolve("pull.yaml"), "upstream: {url: 'http://127.0.0.1:8181', trust: ["
                + old + ", " + next + "]}\n");
        CommandRun run = CommandRun.of("check", "--config", config.toString());
        assertEquals(0, run.exit(), run.toString());
        assertEquals(config + ": OK (pull proxy rproxy on 127.0.0.1:8282 in front of http://127.0.0.1:8181, 2 trusted keys: "
                + VerificationKey.readPem(old).keyId() + ", " + VerificationKey.readPem(next).keyId() + ")",
                run.out().lines().findFirst().orElseThrow(), run.toString());
    }

    @Test
    void theBytesOfUpstreamAnswersWaitingForVerificationAreReportedAsConfigured(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path config = Files.writeString(dir.resolve("pull.yaml"), "upstream: {url: 'http://127.0.0.1:8181', trust: ["
                + dir.resolve("origin.pub") + "], max-unverified-bytes: 256MB}\n");
        CommandRun run = CommandRun.of("check", "--config", config.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().lines().anyMatch((config + ": upstream answers waiting for verification and query bodies forwarded"
                + " until answered within"
                + " upstream.max-unverified-bytes 256MB")::equals), run.toString());

        Files.writeString(config, "upstream: {url: 'http://127.0.0.1:8181', trust: [" + dir.resolve("origin.pub")
                + "], max-unverified-bytes: 1MB}\n");
        run = CommandRun.of("check", "--config", config.toString());
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().contains(config + ": upstream.max-unverified-bytes: 1MB (expected: at least max-body, 64MB,"
                + " or one answer of that size could never be verified)"), run.toString());
    }

    /**
     * A push proxy's pull half holds its upstream answers within {@code upstream.max-unverified-bytes}
     * as a pull proxy does, and the check says so; the update stream is not counted there (its
     * events are verified one at a time, within a bound of their own), and the check says that too,
     * with the bound. It said nothing of the key for a push proxy, whose file may set it.
     */
    @Test
    void forAPushProxyTheCheckSaysWhatTheKeyBoundsAndWhatTheUpdateStreamHolds(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path config = Files.writeString(dir.resolve("push.yaml"), "mode: push\nupstream: {url: 'http://127.0.0.1:8181',"
                + " trust: [" + dir.resolve("origin.pub") + "], max-body: 16MB, max-unverified-bytes: 256MB}\n");
        CommandRun run = CommandRun.of("check", "--config", config.toString());
        assertEquals(0, run.exit(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertEquals(List.of(config + ": OK (push proxy rproxy on 127.0.0.1:8282 in front of http://127.0.0.1:8181,"
                        + " 1 trusted key: " + VerificationKey.readPem(dir.resolve("origin.pub")).keyId() + ")",
                config + ": upstream answers waiting for verification and query bodies forwarded until answered"
                        + " within upstream.max-unverified-bytes 256MB",
                config + ": the update stream's events are not counted there: verified one at a time, they wait within"
                        + " about 40MB per stream (8MB read ahead, and two events of at most max-body), twice that while"
                        + " a preferred upstream's stream is tried beside it"), lines);
    }

    @Test
    void withNothingToCheckItIsAUsageError() {
        CommandRun run = CommandRun.of("check");
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().contains("give --config FILE, --maps DIR and/or --key FILE"), run.toString());
    }

    @Test
    void anOverlayFileHasEveryProblemListedWhateverTheProxyFilesAndAGoodOneIsOk(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path config = Files.writeString(dir.resolve("pull.yaml"), "upstream: {url: 'http://127.0.0.1:8181', trust: ["
                + dir.resolve("origin.pub") + "]}\ncache: {max-bytes: 12QB}\n");
        String rest = "bt-port: 16891\nbootstrap: [127.0.0.1:1]\nkey: " + dir.resolve("origin.key") + "\nstorage: "
                + dir.resolve("st") + "\n";
        Path ov = Files.writeString(dir.resolve("ov.yaml"), "bind: 127.0.0.1\ndht-port: 70000\nseeding2: true\n" + rest);

        CommandRun run = CommandRun.of("check", "--config", config.toString(), "--overlay", ov.toString());

        assertEquals(1, run.exit(), run.toString());
        assertEquals(List.of(
                config + ": cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)",
                ov + ": seeding2: unknown key (known: bind, bootstrap, bt-port, budget, dht-port, dht-store, key,"
                        + " max-bundle, publishers, republish, router-bootstrap, seeding, storage)",
                ov + ": bind: 127.0.0.1 (expected: a global unicast address; the mainline DHT takes no loopback,"
                        + " private, link-local or multicast address)",
                ov + ": dht-port: 70000 (expected: 1 to 65535, or 0 for any free port)",
                "rproxy check: 4 problems"), run.out().lines().toList());

        // once its keys bind, its key and storage: both, not the first
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Files.writeString(ov, "dht-port: 16881\nbt-port: 16891\nbootstrap: [127.0.0.1:1]\nkey: " + dir.resolve("nokey")
                + "\nstorage: " + file.resolve("x") + "\n");
        run = CommandRun.of("check", "--config", config.toString(), "--overlay", ov.toString());
        assertEquals(1, run.exit(), run.toString());
        List<String> lines = run.out().lines().toList();
        assertEquals(4, lines.size(), run.toString());
        assertTrue(lines.get(1).startsWith(ov + ": key: " + dir.resolve("nokey")), run.toString());
        assertEquals(ov + ": storage: " + file.resolve("x") + ": cannot be made (" + file + " is not a writable folder)",
                lines.get(2));

        Files.writeString(ov, "dht-port: 16881\n" + rest);
        Files.writeString(config, "upstream: {url: 'http://127.0.0.1:8181', trust: [" + dir.resolve("origin.pub") + "]}\n");
        run = CommandRun.of("check", "--config", config.toString(), "--overlay", ov.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().lines().anyMatch((ov + ": OK (overlay: DHT on UDP port 16881, BitTorrent on TCP port 16891,"
                + " publishing with key " + dir.resolve("origin.key") + ", publisher key "
                + org.rproxy.overlay.PublisherKeys.of(dir.resolve("origin.key")) + ")")::equals), run.toString());
    }

    @Test
    void theDefaultSpoolFolderIsCheckedAndNamedAsTheJvmsTempFolder(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path config = Files.writeString(dir.resolve("pull.yaml"), "upstream: {url: 'http://127.0.0.1:8181', trust: ["
                + dir.resolve("origin.pub") + "]}\nlisten: {address: '127.0.0.1:0'}\n");
        Path notAFolder = Files.writeString(dir.resolve("not-a-folder"), "");
        String tmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", notAFolder.toString());
        try {
            String problem = config + ": cache.spool-dir (not set: java.io.tmpdir, " + notAFolder + "): not a writable"
                    + " directory (expected: a spool-dir that is, or spool: false)";
            CommandRun check = CommandRun.of("check", "--config", config.toString());
            assertEquals(1, check.exit(), check.toString());
            assertEquals(List.of(problem, "rproxy check: 1 problem"), check.out().lines().toList());
            CommandRun start = CommandRun.of("proxy", "--config", config.toString());
            assertEquals(2, start.exit(), start.toString());
            assertEquals("rproxy proxy: " + problem, start.err().strip());
            assertEquals(0, CommandRun.of("check", "--config", config.toString(), "--no-spool").exit());
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }
    }

    @Test
    void aBadOptionOfTheNodeIsAProblemFoundWithTheFilesWhicheverNode(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path config = Files.writeString(dir.resolve("pull.yaml"), "upstream: {url: 'http://127.0.0.1:8181', trust: ["
                + dir.resolve("origin.pub") + "]}\ncache: {max-bytes: 12QB}\n");
        CommandRun proxy = CommandRun.of("check", "--config", config.toString(), "--listen", "127.0.0.1:99999");
        assertEquals(1, proxy.exit(), proxy.toString());
        List<String> lines = proxy.out().lines().toList();
        assertEquals(3, lines.size(), proxy.toString());
        assertEquals(config + ": cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)", lines.get(0));
        assertTrue(lines.get(1).startsWith("as an option of 'rproxy proxy': "), proxy.toString());
        assertTrue(lines.get(1).contains("99999"), proxy.toString());

        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), MAP);
        CommandRun origin = CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--listen", "127.0.0.1:99999");
        assertEquals(1, origin.exit(), origin.toString());
        assertTrue(origin.out().contains("as an option of 'rproxy origin': "), origin.toString());
    }

    /**
     * An origin's option refused as the last argument is the one problem found. Picocli applies the
     * defaults only after the last argument, so the other options were left unset, and the check
     * then listed a NullPointerException's message as a second problem ({@code Cannot invoke
     * "org.rproxy.core.config.Address.host()" because "this.listen" is null}); the docs' own example
     * ({@code --listen 127.0.0.1:99999}) showed it, as would a unit's pre-start check whose last
     * option is mistyped.
     */
    @Test
    void anOriginOptionRefusedLastIsTheOneProblemFound(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), MAP);
        for (List<String> last : List.of(List.of("--listen", "127.0.0.1:99999"), List.of("--max-age", "60"),
                List.of("--validity", "1h", "--admin", "99999"))) {
            List<String> args = new java.util.ArrayList<>(List.of("check", "--maps", maps.toString(), "--key",
                    dir.resolve("origin.key").toString()));
            args.addAll(last);
            CommandRun run = CommandRun.of(args.toArray(new String[0]));
            assertEquals(1, run.exit(), run.toString());
            List<String> problems = run.out().lines().filter(l -> !l.contains(": OK (") && !l.contains(": within --max-maps"))
                    .toList();
            assertEquals(2, problems.size(), run.toString());
            assertTrue(problems.get(0).startsWith("as an option of 'rproxy origin': Invalid value for option '"
                    + last.get(last.size() - 2) + "'"), run.toString());
            assertEquals("rproxy check: 1 problem", problems.get(1), run.toString());
        }
    }

    /**
     * Every option of the node refused is a problem of its own, each naming the option and the
     * reason: those their converters refuse, an unknown one, and those the node's own checks
     * refuse. Before, only the first was told (one problem, whatever the command line held).
     */
    @Test
    void everyRefusedOptionOfTheNodeIsAProblemOfItsOwn(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path config = Files.writeString(dir.resolve("pull.yaml"), "upstream: {url: 'http://127.0.0.1:8181', trust: ["
                + dir.resolve("origin.pub") + "]}\n");
        CommandRun proxy = CommandRun.of("check", "--config", config.toString(), "--listen", "nonsense", "--admin",
                "127.0.0.1:99999", "--max-subscribers", "0", "--max-bytes", "1KB", "--queries", "where");
        assertEquals(1, proxy.exit(), proxy.toString());
        assertEquals(List.of(
                "as an option of 'rproxy proxy': Invalid value for option '--listen': 'nonsense' is not HOST:PORT"
                        + " (expected e.g. 127.0.0.1:8282)",
                "as an option of 'rproxy proxy': Invalid value for option '--admin': '127.0.0.1:99999' is not HOST:PORT"
                        + " (expected e.g. 127.0.0.1:8282)",
                "--max-subscribers: 0 (expected: >= 1)",
                "--max-bytes: 1KB (expected: >= 1MB)",
                "--queries: 'where' (expected: local or upstream)",
                "rproxy check: 5 problems"), proxy.out().lines().toList());

        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), MAP);
        CommandRun origin = CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--listen", "nonsense", "--bogus", "--validity", "1s", "--max-connections", "0", "--max-request-body", "1B",
                "--public-uri", "x");
        assertEquals(1, origin.exit(), origin.toString());
        List<String> problems = origin.out().lines().filter(l -> !l.contains(": OK (") && !l.contains(": within --max-maps"))
                .toList();
        assertEquals(List.of(
                "as an option of 'rproxy origin': Invalid value for option '--listen': 'nonsense' is not HOST:PORT"
                        + " (expected e.g. 127.0.0.1:8282)",
                "as an option of 'rproxy origin': Unknown option: '--bogus'",
                "--max-connections: 0 (expected: 1 to 10000000)",
                "--max-request-body: 1 (expected: 1KB to 1GB)",
                "--validity: 1s (expected: at least 10s)",
                "--public-uri: 'x' (expected: an absolute http(s) URI, e.g. https://alto.example.net)",
                "rproxy check: 6 problems"), problems);
    }

    /** A node refuses at start every option its own checks refuse, each on a line, with the exit status of one. */
    @Test
    void aNodeRefusesEveryBadOptionAtStartEachOnALine(@TempDir Path dir) throws Exception {
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), MAP);
        CommandRun origin = CommandRun.of("origin", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--listen", "127.0.0.1:0", "--validity", "1s", "--max-connections", "0");
        assertEquals(2, origin.exit(), origin.toString());
        assertEquals(List.of("rproxy origin: --max-connections: 0 (expected: 1 to 10000000)",
                "rproxy origin: --validity: 1s (expected: at least 10s)"), origin.err().lines().toList());

        CommandRun proxy = CommandRun.of("proxy", "--upstream", "http://127.0.0.1:8181", "--trust",
                dir.resolve("origin.pub").toString(), "--listen", "127.0.0.1:0", "--max-subscribers", "0", "--max-bytes", "1KB");
        assertEquals(2, proxy.exit(), proxy.toString());
        assertEquals(List.of("rproxy proxy: --max-subscribers: 0 (expected: >= 1)",
                "rproxy proxy: --max-bytes: 1KB (expected: >= 1MB)"), proxy.err().lines().toList());
    }

    @Test
    void aMisspeltSectionOfAKeysFileIsNamedAsAProxyFilesIs(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("keys.yaml"), "keyz:\n  - file: x\n");
        CommandRun run = CommandRun.of("check", "--key", keys.toString());
        assertEquals(1, run.exit(), run.toString());
        assertEquals(List.of(keys + ": keyz: unknown key (known: keys)",
                keys + ": keys: missing (expected: a list of {file, signing})", "rproxy check: 2 problems"),
                run.out().lines().toList());
        // the origin refuses it at start with the same lines
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("net.json"), MAP);
        CommandRun start = CommandRun.of("origin", "--maps", maps.toString(), "--key", keys.toString(), "--listen",
                "127.0.0.1:0");
        assertEquals(2, start.exit(), start.toString());
        assertTrue(start.err().contains("rproxy origin: " + keys + ": keyz: unknown key (known: keys)\n"), start.toString());
    }

    @Test
    void aFileThatIsNotUtf8IsSaidToBeAndWhere(@TempDir Path dir) throws Exception {
        Path config = Files.write(dir.resolve("pull.yaml"), "name: proxy\n# caf\u00e9\n".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1));
        CommandRun run = CommandRun.of("check", "--config", config.toString());
        assertEquals(1, run.exit(), run.toString());
        assertEquals(config + ": not UTF-8 text: byte 0xE9 on line 2 (expected: a UTF-8 file; a Latin-1 file can be"
                + " converted with iconv -f latin1 -t utf-8)", run.out().lines().findFirst().orElse(""));
        CommandRun start = CommandRun.of("proxy", "--config", config.toString());
        assertEquals(2, start.exit(), start.toString());
        assertEquals("rproxy proxy: " + run.out().lines().findFirst().orElse(""), start.err().strip());
    }

    @Test
    void aWholeNumberOutOfRangeIsRefusedWithTheKeysOwnRange(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("pull.yaml"), "upstream: {url: 'http://127.0.0.1:8181', trust: ["
                + dir.resolve("origin.pub") + "]}\nlisten: {max-connections: 99999999999999999999}\n"
                + "cache: {not-found-entries: -99999999999999999999}\n");
        CommandRun run = CommandRun.of("check", "--config", config.toString());
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().lines().anyMatch((config + ": listen.max-connections: 99999999999999999999 is out of range"
                + " (expected: 1 to 10000000; the process's file descriptor limit is the real bound)")::equals),
                run.toString());
        assertTrue(run.out().lines().anyMatch((config + ": cache.not-found-entries: -99999999999999999999 is out of range"
                + " (expected: >= 1)")::equals), run.toString());
    }

    @Test
    void aPushReadTimeoutNotAboveTheDefaultHeartbeatIsWarnedOf(@TempDir Path dir) throws Exception {
        assertPushWarning(dir, "{read-timeout: 5s}", "push.read-timeout: 5s is not above the upstream's heartbeat if"
                + " it keeps the default, 10s: a quiet upstream stream would be taken for dead and replaced again and again"
                + " (expected: about twice the upstream's heartbeat, an origin's --heartbeat or a parent proxy's"
                + " push.heartbeat) (warning)", "{}", "read-timeout");
    }

    /**
     * {@code rproxy check} of a push proxy's file with {@code push: WARNED} prints {@code warning}
     * after the file's name and passes; with {@code push: QUIET} no line names {@code word}.
     */
    private static void assertPushWarning(Path dir, String warned, String warning, String quiet, String word)
            throws Exception {
        CommandRun run = checkPush(dir, warned);
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().lines().anyMatch((dir.resolve("push.yaml") + ": " + warning)::equals), run.toString());
        run = checkPush(dir, quiet);
        assertTrue(run.out().lines().noneMatch(l -> l.contains(word)), run.toString());
    }

    /** {@code rproxy check --config DIR/push.yaml}, a push proxy's file with {@code push: SECTION}, keys made first. */
    private static CommandRun checkPush(Path dir, String section) throws Exception {
        if (!Files.exists(dir.resolve("origin.pub"))) {
            assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        }
        Path config = Files.writeString(dir.resolve("push.yaml"), "mode: push\nupstream: {url: 'http://127.0.0.1:8181',"
                + " trust: [" + dir.resolve("origin.pub") + "]}\npush: " + section + "\n");
        return CommandRun.of("check", "--config", config.toString());
    }

    /**
     * A heartbeat as long as the default read timeout of push proxies below makes each of them
     * drop and reopen its stream every 20 s while nothing changes (seen on loopback: an origin with
     * {@code --heartbeat 30s} and a default push proxy below, "lost (no heartbeat within the read
     * timeout)" every 20 s), so check warns of it, for a proxy's push.heartbeat and the origin's.
     */
    @Test
    void aHeartbeatNotBelowTheDefaultReadTimeoutBelowIsWarnedOf(@TempDir Path dir) throws Exception {
        assertPushWarning(dir, "{heartbeat: 30s}", "push.heartbeat: 30s is not below the read timeout of the push"
                + " proxies below if they keep the default, 20s: they would take a quiet stream from this node for dead"
                + " and reopen it again and again (expected: at most half their push.read-timeout, such as the default"
                + " 10s) (warning)", "{heartbeat: 15s}", "heartbeat");
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        CommandRun run = CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--heartbeat", "20s");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("--heartbeat: 20s is not below the read timeout of the"
                + " push proxies below") && l.endsWith("(warning)")), run.toString());
        run = CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--heartbeat", "10s");
        assertTrue(run.out().lines().noneMatch(l -> l.contains("heartbeat")), run.toString());
    }

    @Test
    void anOriginRefusesAProxyUrlWithAPathWhichClientsWouldDrop(@TempDir Path dir) throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        DemoCommand.copySampleMaps(maps);
        assertEquals(0, CommandRun.of("keygen", "--out", dir.toString()).exit());
        String problem = "--proxy: http://127.0.0.1:8282/alto has a path, query or fragment (expected: scheme://host:port;"
                + " clients ask a proxy for the origin's own paths at its root and would drop it)";
        CommandRun check = CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--proxy", "http://127.0.0.1:8282/alto");
        assertEquals(1, check.exit(), check.toString());
        assertTrue(check.out().lines().anyMatch(problem::equals), check.toString());
        CommandRun start = CommandRun.of("origin", "--listen", "127.0.0.1:0", "--maps", maps.toString(),
                "--key", dir.resolve("origin.key").toString(), "--proxy", "http://127.0.0.1:8282/alto");
        assertEquals(2, start.exit(), start.toString());
        assertEquals("rproxy origin: " + problem, start.err().strip());
        assertEquals(0, CommandRun.of("check", "--maps", maps.toString(), "--key", dir.resolve("origin.key").toString(),
                "--proxy", "http://127.0.0.1:8282/").exit());
    }
}
