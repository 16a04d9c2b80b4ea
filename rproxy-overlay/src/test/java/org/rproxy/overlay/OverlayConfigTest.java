package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ConfigLoader;

class OverlayConfigTest {
    private static final String GOOD = """
            bind: 203.0.113.7
            dht-port: 6881
            bt-port: 6891
            bootstrap: [203.0.113.9:6881]
            key: /etc/rproxy/dht.pem
            storage: /var/lib/rproxy/overlay
            """;

    @Test
    void theExampleFileReadsWithItsDefaults() {
        OverlayConfig c = new ConfigLoader().read(GOOD, "overlay.yaml", OverlayConfig.class);
        assertEquals("203.0.113.7", c.bind());
        assertEquals(6881, c.dhtPort());
        assertEquals(Path.of("/etc/rproxy/dht.pem"), c.key());
        assertEquals(Boolean.TRUE, c.seeding());
        assertEquals(OverlayConfig.DEFAULT_BUDGET, c.budget());
        assertEquals(OverlayConfig.DEFAULT_REPUBLISH, c.republish());
    }

    @Test
    void theShippedExampleIsValid() {
        OverlayConfig c = new ConfigLoader().load(repo().resolve("conf/overlay.yaml"), OverlayConfig.class);
        assertEquals(Duration.ofMinutes(20), c.republish());
    }

    /** The overlay guide's client peer file (the yaml block after "A client peer's `overlay.yaml`") reads, with no key. */
    @Test
    void theReadmesClientPeerExampleIsValid() throws Exception {
        String readme = java.nio.file.Files.readString(repo().resolve("docs/overlay.md"));
        int at = readme.indexOf("```yaml", readme.indexOf("A client peer's `overlay.yaml`"));
        String yaml = readme.substring(at + "```yaml".length(), readme.indexOf("```", at + 1));
        OverlayConfig c = new ConfigLoader().read(yaml, "docs/overlay.md client overlay.yaml", OverlayConfig.class);
        assertNull(c.bind());
        assertNull(c.key());
        assertEquals(Duration.ofSeconds(10), c.budget());
    }

    /** A viewer peer need not name ports: 0 is any free one, taken at start ({@code OverlayNode.withFreePorts}). */
    @Test
    void portsZeroAreTakenForAnyFreePort() {
        OverlayConfig c = new ConfigLoader().read(GOOD.replace("dht-port: 6881", "dht-port: 0")
                .replace("bt-port: 6891", "bt-port: 0"), "o.yaml", OverlayConfig.class);
        assertEquals(0, c.dhtPort());
        assertEquals(0, c.btPort());
    }

    @Test
    void theWildcardAddressMeansTheDhtChooses() {
        OverlayConfig c = new ConfigLoader().read(GOOD.replace("203.0.113.7", "0.0.0.0"), "o.yaml", OverlayConfig.class);
        assertNull(c.bind());
    }

    /**
     * An app vendor's code names each setting: the only public constructor left is the record's own,
     * which the config loader binds a file with, deprecated (before, two more took 11 and 12
     * positional arguments, Booleans and Integers among them, and none was deprecated).
     */
    @Test
    void theOnlyPublicConstructorIsTheLoadersOwnAndItIsDeprecated() {
        java.lang.reflect.Constructor<?>[] all = OverlayConfig.class.getConstructors();
        assertEquals(1, all.length, java.util.Arrays.toString(all));
        assertEquals(OverlayConfig.class.getRecordComponents().length, all[0].getParameterCount());
        assertTrue(all[0].isAnnotationPresent(Deprecated.class), "use OverlayConfig.builder()");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dht-port: -1                 | dht-port: -1 (expected: 1 to 65535, or 0 for any free port)",
        "bind: alto.example.net       | bind: alto.example.net (expected: an IP address literal)",
        "bind: 127.0.0.1              | bind: 127.0.0.1 (expected: a global unicast address; the mainline DHT takes no loopback, private, link-local or multicast address)",
        "bind: 10.1.2.3               | bind: 10.1.2.3 (expected: a global unicast address;",
        "bind: 192.168.0.7            | bind: 192.168.0.7 (expected: a global unicast address;",
        "bind: 'fe80::1'              | bind: fe80::1 (expected: a global unicast address;",
        "bootstrap: []                | bootstrap: empty while router-bootstrap is false",
        "bootstrap: [~]               | bootstrap[0]: missing",
        "republish: 10s               | republish: 10s (expected: 1m to 90m; DHT nodes drop items after about two hours)",
        "republish: 91m               | republish: 91m (expected: 1m to 90m; DHT nodes drop items after about two hours)",
        "budget: 0s                   | budget: ",
        "max-bundle: 10B              | max-bundle: ",
        "seedin: true                 | seedin: unknown key",
        "dht-store: {items: 0}        | dht-store.items: 0 (expected: 1 to 1000000)",
        "dht-store: {peers: 1000001}  | dht-store.peers: 1000001 (expected: 1 to 1000000)",
        "dht-store: {items: 100, per-network: 101} | dht-store.per-network: 101 (expected: 1 to 100, at most items)",
        "dht-store: {peers-per-network: 20000} | dht-store.peers-per-network: 20000 (expected: 1 to 10000, at most peers)",
        "dht-store: {item: 5}         | dht-store.item: unknown key",
        "publishers: [3b6a27]         | publishers[0]: '3b6a27' (expected: 64 hex digits, a publisher's Ed25519 public key as `rproxy keygen` prints it)",
        "publishers: [~]              | publishers[0]: missing",
    })
    void aBadValueIsRefusedWithItsKeyAndTheReason(String line, String expected) {
        String key = line.substring(0, line.indexOf(':'));
        String yaml = GOOD.lines().filter(l -> !l.startsWith(key + ":")).reduce("", (a, b) -> a + b + "\n") + line + "\n";
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader().read(yaml, "overlay.yaml", OverlayConfig.class));
        assertTrue(e.getMessage().startsWith("overlay.yaml: " + expected), e.getMessage());
    }

    /** A client peer's publishers, which it follows to the directory when the origin gives none: none by default, read in lower case. */
    @Test
    void aClientPeersPublishersAreReadInLowerCaseAndNoneByDefault() {
        String upper = "3B6A27BC" + "0".repeat(56);
        OverlayConfig c = new ConfigLoader().read(GOOD + "publishers: [" + upper + "]\n", "overlay.yaml", OverlayConfig.class);
        assertEquals(java.util.List.of(upper.toLowerCase(java.util.Locale.ROOT)), c.publishers());
        assertEquals(java.util.List.of(), new ConfigLoader().read(GOOD, "overlay.yaml", OverlayConfig.class).publishers());
        assertEquals(c, c.toBuilder().build());
        assertEquals(c.publishers(), c.withBudget(Duration.ofSeconds(3)).withKey(null).publishers());
    }

    @Test
    void theDhtStoreBoundsAreTheOperatorsAndDefaultPerKey() {
        OverlayConfig c = new ConfigLoader().read(GOOD + "dht-store:\n  per-network: 2000\n  peers: 50000\n",
                "overlay.yaml", OverlayConfig.class);
        assertEquals(new StoreLimits(10_000, 2_000, 50_000, 500), c.dhtStore().limits());
        OverlayConfig none = new ConfigLoader().read(GOOD, "overlay.yaml", OverlayConfig.class);
        assertEquals(StoreLimits.DEFAULT, none.dhtStore().limits());
        OverlayConfig small = new ConfigLoader().read(GOOD + "dht-store: {items: 200}\n", "overlay.yaml",
                OverlayConfig.class);
        assertEquals(new StoreLimits(200, 200, 10_000, 500), small.dhtStore().limits(),
                "a per-network default above the total it is part of is the total");
    }

    /** An embedder's code: the builder gives what the same keys in a file give, defaults included. */
    @Test
    void theBuilderGivesWhatTheFileGivesWithTheSameDefaults() {
        OverlayConfig file = new ConfigLoader().read(GOOD, "overlay.yaml", OverlayConfig.class);
        OverlayConfig built = OverlayConfig.builder().bind("203.0.113.7").dhtPort(6881).btPort(6891)
                .bootstrap("203.0.113.9:6881").key(Path.of("/etc/rproxy/dht.pem")).storage(Path.of("/var/lib/rproxy/overlay"))
                .build();
        assertEquals(file, built);
        assertEquals(OverlayConfig.DEFAULT_BUDGET, built.budget());
        assertEquals(Boolean.TRUE, built.seeding());
        assertEquals(DhtStoreConfig.DEFAULT, built.dhtStore());
        assertEquals(built, built.toBuilder().build());
        assertEquals(Duration.ofSeconds(3), built.toBuilder().budget(Duration.ofSeconds(3)).build().budget());
        assertNull(built.toBuilder().key(null).build().key(), "a client peer's: no key");
    }

    /** The overlay guide's client peer in code (the java block after "The same client peer in code") builds, as its file reads. */
    @Test
    void theReadmesClientPeerInCodeIsItsFile() throws Exception {
        String readme = java.nio.file.Files.readString(repo().resolve("docs/overlay.md"));
        int at = readme.indexOf("```yaml", readme.indexOf("A client peer's `overlay.yaml`"));
        OverlayConfig file = new ConfigLoader().read(readme.substring(at + "```yaml".length(), readme.indexOf("```", at + 1)),
                "docs/overlay.md client overlay.yaml", OverlayConfig.class);
        int code = readme.indexOf("```java", readme.indexOf("The same client peer in code"));
        String java = readme.substring(code, readme.indexOf("```", code + 1));
        String publisher = "3b6a27bcc1a4e5d6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e";
        assertTrue(java.contains(".dhtPort(0).btPort(0)") && java.contains(".bootstrap(\"203.0.113.9:6881\")")
                && java.contains(".publishers(\"" + publisher + "\")")
                && java.contains(".storage(Path.of(\"/var/lib/myapp/overlay\"))") && java.contains(".seeding(true)")
                && java.contains(".budget(Duration.ofSeconds(10))"), java);
        assertEquals(file, OverlayConfig.builder().dhtPort(0).btPort(0).bootstrap("203.0.113.9:6881")
                .publishers(publisher).storage(Path.of("/var/lib/myapp/overlay")).seeding(true).budget(Duration.ofSeconds(10)).build());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dht-port     | dht-port: missing",
        "bt-port      | bt-port: missing",
        "storage      | storage: missing",
        "bootstrap    | bootstrap: empty while router-bootstrap is false",
        "bind         | bind: 10.1.2.3 (expected: a global unicast address;",
        "bt-port -1   | bt-port: -1 (expected: 1 to 65535, or 0 for any free port)",
        "dht-port 70000 | dht-port: 70000 (expected: 1 to 65535, or 0 for any free port)",
        "bootstrap x  | bootstrap[1]: 'x' is not HOST:PORT",
        "republish    | republish: 10s (expected: 1m to 90m",
        "max-bundle   | max-bundle: 10 (expected: >= 1KB)",
        "publishers   | publishers[1]: 'xyz' (expected: 64 hex digits",
    })
    void theBuilderRefusesABadValueWithItsKey(String what, String expected) {
        OverlayConfigBuilder b = OverlayConfig.builder().dhtPort(6881).btPort(6891).bootstrap("203.0.113.9:6881")
                .storage(Path.of("/var/lib/myapp/overlay"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            switch (what) {
                case "dht-port" -> b.dhtPort(null);
                case "bt-port" -> b.btPort(null);
                case "storage" -> b.storage(null);
                case "bootstrap" -> b.bootstrap(java.util.List.of());
                case "bind" -> b.bind("10.1.2.3");
                case "bt-port -1" -> b.btPort(-1);
                case "dht-port 70000" -> b.dhtPort(70000);
                case "bootstrap x" -> b.bootstrap("203.0.113.9:6881", "x");
                case "republish" -> b.republish(Duration.ofSeconds(10));
                case "max-bundle" -> b.maxBundle(org.rproxy.core.config.ByteSize.ofBytes(10));
                case "publishers" -> b.publishers("ab".repeat(32), "xyz");
                default -> throw new AssertionError(what);
            }
            b.build();
        });
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void storageIsRequired() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().read(
                GOOD.replace("storage: /var/lib/rproxy/overlay\n", ""), "overlay.yaml", OverlayConfig.class));
        assertTrue(e.getMessage().contains("storage: missing"), e.getMessage());
    }

    private static Path repo() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (d.resolve("conf/overlay.yaml").toFile().isFile()) {
                return d;
            }
        }
        throw new IllegalStateException("conf/overlay.yaml not found");
    }
}
