package org.rproxy.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    @TempDir
    static Path dir;
    static Path pub;

    private final ConfigLoader loader = new ConfigLoader();

    @BeforeAll
    static void keyFile() throws IOException {
        pub = Files.writeString(dir.resolve("origin.pub"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
    }

    private String minimal() {
        return "upstream:\n  url: http://127.0.0.1:8181\n  trust: [" + pub + "]\n";
    }

    @Test
    void aMinimalFileGetsTheDefaults() {
        ProxyConfig c = loader.read(minimal(), "pull.yaml", ProxyConfig.class);
        assertEquals(ProxyConfig.Mode.PULL, c.mode());
        assertEquals("rproxy", c.name());
        assertEquals(new Address("127.0.0.1", 8282), c.listen().address());
        assertEquals(Duration.ofSeconds(5), c.listen().drainTimeout(), "a stop waits 5 s for answers, as protocol.md says");
        assertEquals(256L << 20, c.cache().maxBytes().bytes());
        assertTrue(c.cache().spool());
        assertEquals(1L << 20, c.cache().spoolMinBytes().bytes(), "bodies spooled from 1MB, as pull-proxy.md says");
        assertEquals(Duration.ofSeconds(10), c.upstream().timeout());
        assertEquals(8, c.upstream().connections());
        assertEquals(Duration.ofSeconds(5), c.refresh().retry());
        assertNull(c.admin());
        assertEquals(List.of(pub), c.upstream().trust());
        assertEquals(ProxyConfig.Queries.LOCAL, c.queries());
    }

    @Test
    void theWorkOfOneQueryIsBoundedByDefaultAndByTheLimitsSection() {
        assertEquals(250_000L, loader.read(minimal(), "pull.yaml", ProxyConfig.class).limits().maxEndpointPairs());
        assertEquals(1_000L, loader.read(minimal() + "limits: {max-endpoint-pairs: 1000}\n", "pull.yaml",
                ProxyConfig.class).limits().queryLimits().maxEndpointPairs());
    }

    @Test
    void queryAnswersCanBeLeftToTheUpstream() {
        assertEquals(ProxyConfig.Queries.UPSTREAM,
                loader.read(minimal() + "queries: upstream\n", "pull.yaml", ProxyConfig.class).queries());
        assertEquals(ProxyConfig.Queries.LOCAL,
                loader.read(minimal() + "queries: local\n", "pull.yaml", ProxyConfig.class).queries());
    }

    @Test
    void everyKeyIsRead() {
        String yaml = "mode: PULL\nname: edge-1\nlisten:\n  address: 0.0.0.0:9000\n  max-connections: 20000\n  send-buffer: 256KB\n"
                + "  max-request-body: 4MB\n  max-unfinished-streams: 50\n  max-pending-answer-bytes: 8MB\n  max-concurrent-streams: 64\n"
                + "  max-answers-held: 500\n  max-connections-per-address: 32\n  drain-timeout: 250ms\n"
                + "upstream:\n  url: https://origin.example:8443\n  trust: [" + pub + "]\n  connections: 3\n"
                + "  connect-timeout: 500ms\n  timeout: 2m\n  max-body: 1GB\n  max-unverified-bytes: 2GB\n"
                + "  prefetch: [/directory, /prop/pid]\n"
                + "cache:\n  max-bytes: 3MB\n  spool: false\n  spool-dir: /var/tmp\n  spool-min-bytes: 2MB\n"
                + "  not-found-for: 2s\n  not-found-entries: 50\nrefresh:\n  tick: 200ms\n  ahead: 2s\n  retry: 3s\n  min-interval: 100ms\n"
                + "  forget-after: 2h\nadmin:\n  address: 9090\n";
        ProxyConfig c = loader.read(yaml, "pull.yaml", ProxyConfig.class);
        assertEquals("edge-1", c.name());
        assertEquals(new Address("0.0.0.0", 9000), c.listen().address());
        assertEquals(20000, c.listen().maxConnections());
        assertEquals(256 * 1024, c.listen().sendBufferBytes());
        assertEquals(4 * 1024 * 1024, c.listen().maxRequestBodyBytes());
        assertEquals(50, c.listen().maxUnfinishedStreams());
        assertEquals(64, c.listen().maxConcurrentStreams());
        assertEquals(8L << 20, c.listen().pendingAnswerBytes());
        assertEquals(500, c.listen().answersHeld());
        assertEquals(32, c.listen().connectionsPerAddress());
        assertEquals(Duration.ofMillis(250), c.listen().drainTimeout());
        assertEquals(443 + 8000, c.upstream().port());
        assertTrue(c.upstream().https());
        assertEquals(3, c.upstream().connections());
        assertEquals(Duration.ofMillis(500), c.upstream().connectTimeout());
        assertEquals(Duration.ofMinutes(2), c.upstream().timeout());
        assertEquals(1L << 30, c.upstream().maxBody().bytes());
        assertEquals(2L << 30, c.upstream().effectiveMaxUnverifiedBytes());
        assertEquals(List.of("/directory", "/prop/pid"), c.upstream().prefetch());
        assertEquals(3 << 20, c.cache().maxBytes().bytes());
        assertFalse(c.cache().spool());
        assertEquals(Path.of("/var/tmp"), c.cache().spoolDir());
        assertEquals(2L << 20, c.cache().spoolMinBytes().bytes());
        assertEquals(Duration.ofSeconds(2), c.cache().notFoundFor());
        assertEquals(50, c.cache().notFoundEntries());
        assertEquals(Duration.ofMillis(200), c.refresh().tick());
        assertEquals(Duration.ofHours(2), c.refresh().forgetAfter());
        assertEquals(Durations.MAX, loader.read(minimal().replace("upstream:\n", "upstream:\n  timeout: 365d\n"),
                "pull.yaml", ProxyConfig.class).upstream().timeout(), "the longest duration taken");
        assertEquals(new Address("127.0.0.1", 9090), c.admin().address());
    }

    @Test
    void severalUpstreamsAreReadInOrderAndOneUrlStaysValid() {
        ProxyConfig c = loader.read("upstream:\n  urls: [http://a:1, http://b:2]\n  trust: [" + pub + "]\n"
                + "  health-check: 500ms\n", "pull.yaml", ProxyConfig.class);
        assertEquals(List.of(URI.create("http://a:1"), URI.create("http://b:2")), c.upstream().urls());
        assertEquals(URI.create("http://a:1"), c.upstream().url());
        assertEquals(Duration.ofMillis(500), c.upstream().healthCheck());
        assertTrue(c.upstream().several());
        ProxyConfig one = loader.read(minimal(), "pull.yaml", ProxyConfig.class);
        assertEquals(List.of(URI.create("http://127.0.0.1:8181")), one.upstream().urls());
        assertEquals(Duration.ofSeconds(2), one.upstream().healthCheck());
        UpstreamConfig u = c.upstream();
        assertEquals(u, new UpstreamConfig(u.url(), u.trust(), u.ca(), u.connections(), u.connectTimeout(), u.timeout(),
                u.maxBody(), u.prefetch(), u.urls(), u.healthCheck(), u.maxUnverifiedBytes()), "a built config copies");
    }

    @Test
    void theUpstreamAnswersWaitingForVerificationAreBoundedByAShareOfTheHeapUnlessConfigured() {
        UpstreamConfig u = loader.read(minimal(), "pull.yaml", ProxyConfig.class).upstream();
        assertNull(u.maxUnverifiedBytes());
        assertEquals(UpstreamConfig.unverifiedBytesForHeap(Runtime.getRuntime().maxMemory(), 64L << 20),
                u.effectiveMaxUnverifiedBytes());
        assertEquals(128L << 20, UpstreamConfig.unverifiedBytesForHeap(1L << 30, 64L << 20), "an eighth of the heap");
        assertEquals(64L << 20, UpstreamConfig.unverifiedBytesForHeap(256L << 20, 64L << 20), "never below max-body");
        assertEquals(64L << 20, u.withMaxUnverifiedBytes(ByteSize.ofMegabytes(64)).effectiveMaxUnverifiedBytes(),
                "max-body itself is taken");
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("upstream: {trust: [PUB]}",
                        "pull.yaml: upstream.url: missing"),
                Arguments.of("cache: {max-bytes: 1MB}",
                        "pull.yaml: upstream: missing"),
                Arguments.of("UP\ncache: {max-bytes: 12QB}",
                        "pull.yaml: cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)"),
                Arguments.of("UP\nrefresh: {tick: 30x}",
                        "pull.yaml: refresh.tick: '30x' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)"),
                Arguments.of("UP\nrefresh: {retry: 0s}",
                        "pull.yaml: refresh.retry: 0s (expected: > 0)"),
                Arguments.of("UP\ncache: {max-byte: 1MB}",
                        "pull.yaml: cache.max-byte: unknown key (known: max-bytes, not-found-entries, not-found-for, spool, spool-dir, spool-min-bytes)"),
                Arguments.of("UP\nlisten: {address: 'nohost:x'}",
                        "pull.yaml: listen.address: 'nohost:x' is not HOST:PORT (expected e.g. 127.0.0.1:8282)"),
                Arguments.of("UP\nlisten: {max-connections: 0}",
                        "pull.yaml: listen.max-connections: 0 (expected: 1 to 10000000; the process's file"
                                + " descriptor limit is the real bound)"),
                Arguments.of("UP\nlisten: {max-connections: 2147483647}",
                        "pull.yaml: listen.max-connections: 2147483647 (expected: 1 to 10000000; the process's file"
                                + " descriptor limit is the real bound)"),
                Arguments.of("UP\nlisten: {max-connections-per-address: 0}",
                        "pull.yaml: listen.max-connections-per-address: 0 (expected: 1 to 10000000; leave it out for no"
                                + " such limit)"),
                Arguments.of("UP\nlisten: {max-connections-per-address: 10000001}",
                        "pull.yaml: listen.max-connections-per-address: 10000001 (expected: 1 to 10000000; leave it out"
                                + " for no such limit)"),
                Arguments.of("UP\nlisten: {send-buffer: 4KB}",
                        "pull.yaml: listen.send-buffer: 4KB (expected: 16KB to 1GB)"),
                Arguments.of("UP\nlisten: {send-buffer: 2GB}",
                        "pull.yaml: listen.send-buffer: 2GB (expected: 16KB to 1GB)"),
                Arguments.of("UP\nlisten: {max-request-body: 1000}",
                        "pull.yaml: listen.max-request-body: 1000 (expected: 1KB to 1GB)"),
                Arguments.of("UP\nlisten: {max-request-body: 2GB}",
                        "pull.yaml: listen.max-request-body: 2GB (expected: 1KB to 1GB)"),
                Arguments.of("UP\nlisten: {max-unfinished-streams: 0}",
                        "pull.yaml: listen.max-unfinished-streams: 0 (expected: 1 to 10000000; each holds about 2.5 KB"
                                + " of heap)"),
                Arguments.of("UP\nlisten: {max-pending-answer-bytes: 1KB}",
                        "pull.yaml: listen.max-pending-answer-bytes: 1KB (expected: at least 64KB, one part of a large"
                                + " answer)"),
                Arguments.of("UP\nlisten: {max-answers-held: 0}",
                        "pull.yaml: listen.max-answers-held: 0 (expected: 4 to 10000000; each may hold an answer on the"
                                + " heap until its client takes it, and the last quarter is kept for a connection's first)"),
                Arguments.of("UP\nlisten: {max-answers-held: 3}",
                        "pull.yaml: listen.max-answers-held: 3 (expected: 4 to 10000000; each may hold an answer on the"
                                + " heap until its client takes it, and the last quarter is kept for a connection's first)"),
                Arguments.of("UP\nlisten: {max-connections: 100, max-connections-per-address: 101}",
                        "pull.yaml: listen.max-connections-per-address: 101 (expected: at most max-connections, 100; one"
                                + " past max-connections is refused whatever its address, so a larger limit could never apply)"),
                Arguments.of("UP\nlisten: {max-connections-per-address: 10001}",
                        "pull.yaml: listen.max-connections-per-address: 10001 (expected: at most max-connections, 10000;"
                                + " one past max-connections is refused whatever its address, so a larger limit could never"
                                + " apply)"),
                Arguments.of("UP\nlisten: {drain-timeout: 50ms}",
                        "pull.yaml: listen.drain-timeout: 50ms (expected: 100ms to 10m)"),
                Arguments.of("UP\nlisten: {drain-timeout: 11m}",
                        "pull.yaml: listen.drain-timeout: 11m (expected: 100ms to 10m)"),
                Arguments.of("UP\nlisten: {max-concurrent-streams: 0}",
                        "pull.yaml: listen.max-concurrent-streams: 0 (expected: 1 to 100000 per connection; each open"
                                + " stream holds a few KB of heap)"),
                Arguments.of("UP\nlisten: {max-concurrent-streams: 100001}",
                        "pull.yaml: listen.max-concurrent-streams: 100001 (expected: 1 to 100000 per connection; each"
                                + " open stream holds a few KB of heap)"),
                Arguments.of("UP\nlisten: {max-unfinished-streams: many}",
                        "pull.yaml: listen.max-unfinished-streams: 'many' is not a whole number"),
                Arguments.of("UP\nmode: sideways",
                        "pull.yaml: mode: 'sideways' is not one of pull push"),
                Arguments.of("UP\nlimits: {max-endpoint-pairs: 0}",
                        "pull.yaml: limits.max-endpoint-pairs: 0 (expected: >= 1)"),
                Arguments.of("UP\nqueries: nearby",
                        "pull.yaml: queries: 'nearby' is not one of local upstream"),
                Arguments.of("upstream: {url: 'ftp://x', trust: [PUB]}",
                        "pull.yaml: upstream.url: 'ftp://x' (expected: http:// or https://)"),
                Arguments.of("upstream: {url: 'http://a b:1', trust: [PUB]}",
                        "pull.yaml: upstream.url: 'http://a b:1' is not a URI (illegal character in authority at index 7)"),
                Arguments.of("upstream: {url: 'http://x:1/alto', trust: [PUB]}",
                        "pull.yaml: upstream.url: 'http://x:1/alto' has a path or query (expected: scheme://host:port; signed paths are the origin's)"),
                Arguments.of("upstream: {url: 'http://127.0.0.1:99999', trust: [PUB]}",
                        "pull.yaml: upstream.url: 'http://127.0.0.1:99999': port 99999 out of range (expected: 1-65535)"),
                Arguments.of("upstream: {url: 'http://x:0', trust: [PUB]}",
                        "pull.yaml: upstream.url: 'http://x:0': port 0 out of range (expected: 1-65535)"),
                Arguments.of("upstream: {urls: ['http://x:1', 'http://y:65536'], trust: [PUB]}",
                        "pull.yaml: upstream.urls[1]: 'http://y:65536': port 65536 out of range (expected: 1-65535)"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], ca: /no/such-ca.pem}",
                        "pull.yaml: upstream.ca: /no/such-ca.pem is given but the upstream http://x:1 is not https"
                                + " (expected: ca only with an https:// upstream)"),
                Arguments.of("upstream: {url: 'http://x:1'}",
                        "pull.yaml: upstream.trust: missing (expected: the origin's public key file(s))"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [/no/such.pub]}",
                        "pull.yaml: upstream.trust[0]: /no/such.pub is not a readable file"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], connections: abc}",
                        "pull.yaml: upstream.connections: 'abc' is not a whole number"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], connections: 0}",
                        "pull.yaml: upstream.connections: 0 (expected: >= 1)"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], prefetch: [dir]}",
                        "pull.yaml: upstream.prefetch[0]: 'dir' (expected: a request target such as /directory)"),
                Arguments.of("upstream: {url: 'http://x:1', urls: ['http://y:1'], trust: [PUB]}",
                        "pull.yaml: upstream.urls: given with url (expected: one of them)"),
                Arguments.of("upstream: {urls: ['http://x:1', ~], trust: [PUB]}",
                        "pull.yaml: upstream.urls[1]: missing"),
                Arguments.of("upstream: {urls: [], trust: [PUB]}",
                        "pull.yaml: upstream.urls: empty (expected: at least one http(s)://host:port)"),
                Arguments.of("upstream: {urls: ['http://x:1', 'http://x:1'], trust: [PUB]}",
                        "pull.yaml: upstream.urls[1]: 'http://x:1' is listed twice"),
                Arguments.of("upstream: {urls: ['http://x:1', 'https://y:1'], trust: [PUB]}",
                        "pull.yaml: upstream.urls[1]: 'https://y:1' (expected: the same scheme as urls[0], http)"),
                Arguments.of("upstream: {urls: ['http://x:1', 'http://y:1/alto'], trust: [PUB]}",
                        "pull.yaml: upstream.urls[1]: 'http://y:1/alto' has a path or query (expected: scheme://host:port;"
                                + " signed paths are the origin's)"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], max-unverified-bytes: 32MB}",
                        "pull.yaml: upstream.max-unverified-bytes: 32MB (expected: at least max-body, 64MB, or one answer"
                                + " of that size could never be verified)"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], max-body: 1MB, max-unverified-bytes: 12QB}",
                        "pull.yaml: upstream.max-unverified-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)"),
                Arguments.of("upstream: {urls: ['http://x:1', 'http://y:1'], trust: [PUB], health-check: 0s}",
                        "pull.yaml: upstream.health-check: 0s (expected: > 0)"),
                Arguments.of("UP\ncache: {not-found-for: 2m}",
                        "pull.yaml: cache.not-found-for: 2m (expected: 0 to 1m)"),
                Arguments.of("UP\ncache: {not-found-entries: 0}",
                        "pull.yaml: cache.not-found-entries: 0 (expected: >= 1)"),
                Arguments.of("UP\nlisten: {max-connections: 1.9}",
                        "pull.yaml: listen.max-connections: '1.9' is not a whole number"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], connections: 1e3}",
                        "pull.yaml: upstream.connections: '1000.0' is not a whole number"),
                Arguments.of("UP\nlimits: {max-endpoint-pairs: 2.0}",
                        "pull.yaml: limits.max-endpoint-pairs: '2.0' is not a whole number"),
                Arguments.of("UP\nlisten: {max-connections: ''}",
                        "pull.yaml: listen.max-connections: '' is not a whole number"),
                Arguments.of("UP\ncache: {spool-min-bytes: 8KB}",
                        "pull.yaml: cache.spool-min-bytes: 8KB (expected: >= 16KB)"),
                Arguments.of("UP\ncache: {spool: 1}",
                        "pull.yaml: cache.spool: '1' is not true or false"),
                Arguments.of("UP\npush: {signature-events: ''}",
                        "pull.yaml: push.signature-events: '' is not true or false"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB, ~]}",
                        "pull.yaml: upstream.trust[1]: missing"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], prefetch: [/directory, ~]}",
                        "pull.yaml: upstream.prefetch[1]: missing"),
                Arguments.of("UP\nlisten: {max-connections: 99999999999}",
                        "pull.yaml: listen.max-connections: 99999999999 is out of range (expected: 1 to 10000000; the"
                                + " process's file descriptor limit is the real bound)"),
                Arguments.of("UP\nlimits: {max-endpoint-pairs: -99999999999999999999}",
                        "pull.yaml: limits.max-endpoint-pairs: -99999999999999999999 is out of range (expected: >= 1)"),
                Arguments.of("upstream: {url: 'http://x:1', trust: [PUB], timeout: 300000d}",
                        "pull.yaml: upstream.timeout: 300000d (expected: at most 365d)"),
                Arguments.of("UP\nrefresh: {forget-after: 366d}",
                        "pull.yaml: refresh.forget-after: 366d (expected: at most 365d)"),
                Arguments.of("UP\npush: {read-timeout: 8761h}",
                        "pull.yaml: push.read-timeout: 8761h (expected: at most 365d)"),
                Arguments.of("UP\ncache: {max-bytes: 1KB}",
                        "pull.yaml: cache.max-bytes: 1KB (expected: >= 1MB)"),
                Arguments.of("UP\ncache: {max-bytes: 1048575}",
                        "pull.yaml: cache.max-bytes: 1048575 (expected: >= 1MB)"),
                Arguments.of("upstream: {url: 'http://127.0.0.1:8282', trust: [PUB]}",
                        "pull.yaml: upstream.url: 'http://127.0.0.1:8282' is this proxy's own listen.address"
                                + " (127.0.0.1:8282): it would be its own upstream"),
                Arguments.of("listen: {address: '0.0.0.0:9000'}\nupstream: {urls: ['http://x:1', 'http://localhost:9000'], trust: [PUB]}",
                        "pull.yaml: upstream.urls[1]: 'http://localhost:9000' is this proxy's own listen.address"
                                + " (0.0.0.0:9000): it would be its own upstream"),
                Arguments.of("UP\nadmin: {address: '127.0.0.1:8282'}",
                        "pull.yaml: admin.address: 127.0.0.1:8282 is listen.address too (127.0.0.1:8282; expected: an"
                                + " address or port of its own)"),
                Arguments.of("listen: {address: '0.0.0.0:9000'}\nadmin: {address: '9000'}\nupstream: {url: 'http://x:1', trust: [PUB]}",
                        "pull.yaml: admin.address: 127.0.0.1:9000 is listen.address too (0.0.0.0:9000; expected: an"
                                + " address or port of its own)"),
                Arguments.of("UP\nlisten: {address: 'nosuch.invalid:8282'}",
                        "pull.yaml: listen.address: cannot resolve host 'nosuch.invalid' (expected: a name this host"
                                + " resolves, or an address such as 127.0.0.1 or 0.0.0.0)"),
                Arguments.of("UP\nadmin: {address: 'nosuch.invalid:9090'}",
                        "pull.yaml: admin.address: cannot resolve host 'nosuch.invalid' (expected: a name this host"
                                + " resolves, or an address such as 127.0.0.1 or 0.0.0.0)"),
                Arguments.of("UP\nadmin: {}",
                        "pull.yaml: admin.address: missing"),
                Arguments.of("UP\nname: 'a b'",
                        "pull.yaml: name: 'a b' (expected: 1-64 of [A-Za-z0-9._:-], a Via pseudonym)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badFiles")
    void aBadFileIsRefusedNamingTheKeyAndTheReason(String yaml, String message) {
        String text = yaml.replace("\\n", "\n").replace("UP\n", minimal()).replace("PUB", pub.toString());
        ConfigException e = assertThrows(ConfigException.class, () -> loader.read(text, "pull.yaml", ProxyConfig.class));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badFiles")
    void checkFindsTheProblemLoadRefusesTheFileFor(String yaml, String message) throws IOException {
        String text = yaml.replace("\\n", "\n").replace("UP\n", minimal()).replace("PUB", pub.toString());
        Path file = Files.writeString(dir.resolve("check.yaml"), text);
        assertEquals(List.of(message.replaceFirst("^pull\\.yaml", file.toString())), loader.check(file, ProxyConfig.class));
    }

    @Test
    void checkReportsEveryProblemOfAFileAtOnce() throws IOException {
        Path file = Files.writeString(dir.resolve("many.yaml"), String.join("\n",
                "mode: sideways",
                "upstream: {url: 'http://x:1', trust: [" + pub + "], connections: 0, timeout: 0s}",
                "cache: {max-bytes: 12QB, max-byte: 1MB}",
                "refresh: {tick: 30x, retry: 0s}",
                "listen: {max-connections: 0}",
                "admin: {}",
                ""));
        assertEquals(List.of(
                file + ": mode: 'sideways' is not one of pull push",
                file + ": upstream.connections: 0 (expected: >= 1)",
                file + ": upstream.timeout: 0s (expected: > 0)",
                file + ": cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)",
                file + ": cache.max-byte: unknown key (known: max-bytes, not-found-entries, not-found-for, spool, spool-dir, spool-min-bytes)",
                file + ": refresh.tick: '30x' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
                file + ": refresh.retry: 0s (expected: > 0)",
                file + ": listen.max-connections: 0 (expected: 1 to 10000000; the process's file descriptor limit is the real bound)",
                file + ": admin.address: missing"), loader.check(file, ProxyConfig.class));
        assertThrows(ConfigException.class, () -> loader.load(file, ProxyConfig.class));
    }

    @Test
    void checkGoesOnWithTheSectionsChecksWhenOneOfItsValuesDoesNotRead() throws IOException {
        Path file = Files.writeString(dir.resolve("section.yaml"), String.join("\n",
                "upstream: {url: 'http://x:1', trust: [" + pub + "], connections: abc, timeout: 0s, prefetch: [dir]}",
                "listen: {adress: 127.0.0.1:1, max-connections: 0}",
                ""));
        assertEquals(List.of(
                file + ": upstream.connections: 'abc' is not a whole number",
                file + ": upstream.timeout: 0s (expected: > 0)",
                file + ": upstream.prefetch[0]: 'dir' (expected: a request target such as /directory)",
                file + ": listen.adress: unknown key (known: address, drain-timeout, max-answers-held, max-concurrent-streams, max-connections, max-connections-per-address, max-pending-answer-bytes, max-request-body, max-unfinished-streams, send-buffer, tls)",
                file + ": listen.max-connections: 0 (expected: 1 to 10000000; the process's file descriptor limit is the real bound)"), loader.check(file, ProxyConfig.class));

        Files.writeString(file, "upstream: {trust: [" + pub + "], connections: abc}\n");
        assertEquals(List.of(file + ": upstream.connections: 'abc' is not a whole number", file + ": upstream.url: missing"),
                loader.check(file, ProxyConfig.class), "a key missing is missing whatever else is wrong");
        Files.writeString(file, "upstream: {urls: 5, trust: [" + pub + "]}\n");
        assertEquals(List.of(file + ": upstream.urls: expected a list (such as urls: [http://origin-a:8181,"
                + " http://origin-b:8181])"), loader.check(file, ProxyConfig.class),
                "url is not missing when urls, which stands in for it, is what is wrong");
    }

    @Test
    void checkFindsNothingInAFileThatLoads() throws IOException {
        Path file = Files.writeString(dir.resolve("good.yaml"), minimal() + "cache: {max-bytes: 1MB}\n");
        loader.load(file, ProxyConfig.class);
        assertEquals(List.of(), loader.check(file, ProxyConfig.class));
    }

    @Test
    void checkNamesAMissingEmptyOrBrokenFile() throws IOException {
        Path missing = dir.resolve("none.yaml");
        assertEquals(List.of(missing + ": no such file"), loader.check(missing, ProxyConfig.class));
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "\n");
        assertEquals(List.of(empty + ": empty (expected a mapping of settings)"), loader.check(empty, ProxyConfig.class));
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "upstream: 'unterminated\n");
        List<String> problems = loader.check(broken, ProxyConfig.class);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(broken + ": upstream: line 2, column 1: a quote opened on line 1 is never closed (expected: the"
                + " value's closing quote)", problems.get(0));
    }

    @Test
    void aKeyGivenTwiceIsRefusedWithItsSectionAndLine() throws IOException {
        String atTheTop = "listen:\n  address: 127.0.0.1:1\nlisten:\n  address: 127.0.0.1:2\n" + minimal();
        String inASection = minimal() + "  url: http://127.0.0.1:9\n";
        String deeper = minimal() + "listen: {tls: {cert: " + pub + ", cert: " + pub + "}}\n";
        for (String[] c : new String[][] {
                {atTheTop, "listen: given twice (again on line 3; expected: each key once per section)"},
                {inASection, "upstream.url: given twice (again on line 4; expected: each key once per section)"},
                {deeper, "listen.tls.cert: given twice (again on line 4; expected: each key once per section)"}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.read(c[0], "dup.yaml", ProxyConfig.class));
            assertEquals("dup.yaml: " + c[1], e.getMessage());
            Path file = Files.writeString(dir.resolve("dup.yaml"), c[0]);
            assertEquals(List.of(file + ": " + c[1]), loader.check(file, ProxyConfig.class));
        }
    }

    @Test
    void aSecondDocumentIsRefusedRatherThanIgnored() throws IOException {
        String two = "---\n" + minimal() + "---\nlisten: {address: 'nohost:x'}\n";
        String message = "two.yaml: a second document on line 6 (expected: one YAML document; '---' starts another,"
                + " which nothing would read)";
        assertEquals(message, assertThrows(ConfigException.class,
                () -> loader.read(two, "two.yaml", ProxyConfig.class)).getMessage());
        Path file = Files.writeString(dir.resolve("two.yaml"), two);
        assertEquals(List.of(message.replace("two.yaml", file.toString())), loader.check(file, ProxyConfig.class));
        assertEquals("pull", loader.read("---\n" + minimal() + "...\n", "one.yaml", ProxyConfig.class).mode().toString(),
                "one document, with its start and end markers");
    }

    @Test
    void anEmptyFileAndBrokenYamlAreRefused() {
        assertEquals("x.yaml: empty (expected a mapping of settings)",
                assertThrows(ConfigException.class, () -> loader.read("", "x.yaml", ProxyConfig.class)).getMessage());
        String broken = assertThrows(ConfigException.class,
                () -> loader.read("upstream: 'unterminated\n", "x.yaml", ProxyConfig.class)).getMessage();
        assertEquals("x.yaml: upstream: line 2, column 1: a quote opened on line 1 is never closed (expected: the"
                + " value's closing quote)", broken);
    }

    @Test
    void aFileThatDoesNotBindIsRefusedWithEveryProblemTheCheckFindsEachOnALine() {
        String yaml = "cache: {max-bytes: 12QB}\nupstream:\n  trust: [" + pub + "]\ncach: {}\n";
        String refused = assertThrows(ConfigException.class, () -> loader.read(yaml, "x.yaml", ProxyConfig.class))
                .getMessage();
        assertEquals(3, refused.lines().count(), refused);
        assertTrue(refused.lines().allMatch(l -> l.startsWith("x.yaml: ")), refused);
        assertTrue(refused.contains("x.yaml: cach: unknown key (known: "), refused);
        assertTrue(refused.contains("x.yaml: cache.max-bytes: '12QB' is not a size"), refused);
        // one problem: the binding's own message, as before
        assertEquals("x.yaml: cache.max-bytes: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)",
                assertThrows(ConfigException.class, () -> loader.read(minimal() + "cache: {max-bytes: 12QB}\n",
                        "x.yaml", ProxyConfig.class)).getMessage());
    }

    @Test
    void aWholeNumberOutOfItsTypesRangeIsRefusedWithTheKeysOwnRangeWhereItHasOne() {
        assertEquals("x.yaml: listen.max-connections: 99999999999999999999 is out of range (expected: 1 to 10000000;"
                + " the process's file descriptor limit is the real bound)", assertThrows(ConfigException.class,
                () -> loader.read(minimal() + "listen: {max-connections: 99999999999999999999}\n", "x.yaml",
                        ProxyConfig.class)).getMessage());
        // a key whose check has no bound on that side keeps the type's range
        assertEquals("x.yaml: limits.max-endpoint-pairs: 99999999999999999999 is out of range (expected: a whole"
                + " number from -9223372036854775808 to 9223372036854775807)", assertThrows(ConfigException.class,
                () -> loader.read(minimal() + "limits: {max-endpoint-pairs: 99999999999999999999}\n", "x.yaml",
                        ProxyConfig.class)).getMessage());
    }

    /**
     * A number too large for a double ({@code 1e999}) was read as Infinity: refused as
     * {@code 'Infinity' is not a size}, and a text key filled in from a command line took the word
     * {@code Infinity}. Every kind of value (sizes, durations, whole numbers, texts) in every
     * section is refused with its key, its line and the number as written, by a start, a check
     * and a reading with options filled in alike.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "cache:\\n  max-bytes: 1e999|cache.max-bytes",
        "listen:\\n  send-buffer: -1e999|listen.send-buffer",
        "listen:\\n  max-request-body: 1.0e+999|listen.max-request-body",
        "listen:\\n  max-connections: 1e999|listen.max-connections",
        "limits:\\n  max-endpoint-pairs: -1e999|limits.max-endpoint-pairs",
        "refresh:\\n  tick: 1e999|refresh.tick",
        "refresh:\\n  forget-after: 1e999|refresh.forget-after",
        "push:\\n  heartbeat: 1e999|push.heartbeat",
        "'  connections: 1e999'|upstream.connections",
        "'  timeout: 1e999'|upstream.timeout",
        "'  max-unverified-bytes: 1e999'|upstream.max-unverified-bytes",
        "name: 1e999|name"})
    void aNumberTooLargeToReadIsRefusedWithItsKeyNotReadAsInfinity(String extra, String key) throws IOException {
        String yaml = minimal() + extra.replace("\\n", "\n") + "\n";
        int line = (int) yaml.lines().count();
        String number = extra.substring(extra.lastIndexOf(' ') + 1);
        String expected = key + ": line " + line + ": " + number + " is out of range (expected: a number no setting"
                + " exceeds, written as it is meant: a size as 2GB, a duration as 1h, a whole number as digits;"
                + " quoted where it is a text)";
        assertEquals("x.yaml: " + expected, assertThrows(ConfigException.class,
                () -> loader.read(yaml, "x.yaml", ProxyConfig.class)).getMessage());
        Path file = Files.writeString(dir.resolve("endless.yaml"), yaml);
        assertEquals(List.of(file + ": " + expected), loader.check(file, ProxyConfig.class));
        List<FillIn> fills = List.of(new FillIn("upstream", "url", "http://127.0.0.1:9", java.util.Set.of("url", "urls")));
        assertEquals(file + ": " + expected, assertThrows(ConfigException.class,
                () -> loader.load(file, ProxyConfig.class, fills)).getMessage());
        assertEquals(List.of(file + ": " + expected), loader.check(file, ProxyConfig.class, fills));
    }

    /**
     * A file with no document (empty, or comments alone) leaves every key to the options that
     * fill them in: it was refused as empty even when they gave every required key. Without
     * options it is still refused as empty, by a start and a check alike.
     */
    @Test
    void anEmptyFileOrOneOfCommentsAloneLeavesEveryKeyToTheFills() throws IOException {
        List<FillIn> both = List.of(new FillIn("upstream", "url", "http://127.0.0.1:9", java.util.Set.of("url", "urls")),
                new FillIn("upstream", "trust", List.of(pub.toString()), java.util.Set.of("trust")));
        List<FillIn> urlAlone = both.subList(0, 1);
        for (String text : new String[] {"", "\n", "# settings to come\n# one day\n"}) {
            Path file = Files.writeString(dir.resolve("empty.yaml"), text);
            ProxyConfig c = loader.load(file, ProxyConfig.class, both);
            assertEquals(List.of(URI.create("http://127.0.0.1:9")), c.upstream().urls(), "'" + text + "'");
            assertEquals(List.of(pub), c.upstream().trust());
            assertEquals(List.of(), loader.check(file, ProxyConfig.class, both), "'" + text + "'");
            assertEquals(List.of(file + ": upstream.trust: missing (expected: the origin's public key file(s))"),
                    loader.check(file, ProxyConfig.class, urlAlone), "'" + text + "'");
            assertEquals(file + ": empty (expected a mapping of settings)", assertThrows(ConfigException.class,
                    () -> loader.load(file, ProxyConfig.class, List.of())).getMessage());
            assertEquals(List.of(file + ": empty (expected a mapping of settings)"),
                    loader.check(file, ProxyConfig.class, List.of()));
        }
        Path nul = Files.writeString(dir.resolve("null.yaml"), "null\n");
        assertEquals(List.of(nul + ": empty (expected a mapping of settings)"), loader.check(nul, ProxyConfig.class, both),
                "a document that is null is not a mapping");
    }

    @Test
    void aFileThatIsNotUtf8IsSaidToBeWithTheByteAndItsLine() throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), ("name: a\nname2: caf\u00e9\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String expected = latin1 + ": not UTF-8 text: byte 0xE9 on line 2 (expected: a UTF-8 file; a Latin-1 file can"
                + " be converted with iconv -f latin1 -t utf-8)";
        assertEquals(expected, assertThrows(ConfigException.class, () -> loader.load(latin1, ProxyConfig.class))
                .getMessage());
        assertEquals(List.of(expected), loader.check(latin1, ProxyConfig.class));
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("none.yaml");
        assertEquals(missing + ": no such file",
                assertThrows(ConfigException.class, () -> loader.load(missing, ProxyConfig.class)).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"1024, 1024", "1KB, 1024", "2kib, 2048", "256MB, 268435456", "1GB, 1073741824", "10B, 10"})
    void sizesAreBinaryMultiples(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text).bytes());
    }

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "15m, PT15M", "1h, PT1H", "2d, PT48H", "PT5S, PT5S"})
    void durationsReadTheOperatorForms(String text, String iso) {
        assertEquals(Duration.parse(iso), Durations.parse(text));
    }

    /**
     * A section given in the wrong form is refused with a one-line example of the right one:
     * {@code admin: 19099} was refused with "admin: expected a mapping" alone, and the operator had
     * to find out the form elsewhere.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "admin: 19099                    | admin: expected a mapping (such as admin: {address: 127.0.0.1:9090})",
        "listen: 0.0.0.0:8282            | listen: expected a mapping (such as listen: {address: 0.0.0.0:8282})",
        "listen: {tls: certs/node.pem}   | listen.tls: expected a mapping (such as tls: {cert: conf/tls/proxy.crt, key: conf/tls/proxy.key})",
        "cache: 256MB                    | cache: expected a mapping (such as cache: {max-bytes: 256MB})",
        "refresh: 1s                     | refresh: expected a mapping (such as refresh: {tick: 1s, ahead: 5s})",
        "push: fast                      | push: expected a mapping (such as push: {heartbeat: 10s, read-timeout: 20s})",
        "limits: 1000                    | limits: expected a mapping (such as limits: {max-endpoint-pairs: 250000})",
    })
    void aSectionInTheWrongFormIsRefusedWithAnExampleOfTheRightOne(String section, String problem) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.read(minimal() + section + "\n", "pull.yaml", ProxyConfig.class));
        assertEquals("pull.yaml: " + problem, e.getMessage());
    }

    @Test
    void anUpstreamOrItsListsInTheWrongFormAreRefusedWithAnExample() {
        assertEquals(List.of("pull.yaml: upstream: expected a mapping (such as upstream: {url: http://origin:8181,"
                + " trust: [keys/origin.pub]})"), problems("upstream: http://origin:8181\n"));
        assertEquals(List.of("pull.yaml: upstream.urls: expected a list (such as urls: [http://origin-a:8181,"
                + " http://origin-b:8181])"), problems("upstream: {urls: 5, trust: [" + pub + "]}\n"));
        assertEquals(List.of("pull.yaml: upstream.trust: expected a list (such as trust: [keys/origin.pub])"),
                problems("upstream: {url: http://origin:8181, trust: {a: b}}\n"));
        assertEquals(List.of("pull.yaml: upstream.prefetch: expected a list (such as prefetch: [/directory,"
                + " /networkmap/default])"), problems(minimal().replace("trust:", "prefetch: {a: b}\n  trust:")));
    }

    private List<String> problems(String yaml) {
        try {
            Path file = Files.writeString(dir.resolve("wrong-form.yaml"), yaml);
            return loader.check(file, ProxyConfig.class).stream().map(p -> p.replace(file.toString(), "pull.yaml")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A key or value quoted in a refusal keeps it one problem a line: found by ConfigLoaderFuzzTest. */
    @Test
    void aLineBreakInAKeyOrValueIsEscapedSoEveryLineOfTheRefusalNamesTheFile() {
        for (String yaml : List.of("{heartbeat: 1s, backoff-\r\rmin: 2s, subscriber-buffer: 12QB}\n",
                "heartbeat: \"1\\nfake.yaml: forged\"\n")) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.read(yaml, "push.yaml", PushConfig.class));
            for (String line : e.getMessage().split("\n", -1)) {
                assertTrue(line.startsWith("push.yaml: ") && !line.contains("\r"), () -> "'" + line + "' in:\n" + e.getMessage());
            }
        }
    }
}
