package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrontEndConfigTest {

    private static final FrontEndConfig D = FrontEndConfig.defaults("127.0.0.1", 8080);

    @Test
    void defaults() {
        assertEquals(4096, D.maxInitialLineLength());
        assertEquals(16 * 1024, D.maxHeaderBytes());
        assertEquals(1024 * 1024, D.maxBodyBytes());
        assertEquals(Duration.ofSeconds(60), D.idleTimeout());
        assertEquals(Duration.ofSeconds(10), D.firstByteTimeout());
        assertEquals(10_000, D.maxConnections());
        assertEquals(0, D.ioThreads());
        assertEquals(Dialect.JSON, D.dialectFor("/anything"));
        assertNull(D.sslContext());
    }

    @Test
    void dialectMappingThatAnswersNullMeansJson() {
        assertEquals(Dialect.JSON, D.withDialectOf(p -> null).dialectFor("/x"));
        assertEquals(Dialect.XML, D.withDialectOf(p -> Dialect.XML).dialectFor("/x"));
    }

    static Object[][] invalid() {
        Function<String, Dialect> json = p -> Dialect.JSON;
        Duration s = Duration.ofSeconds(1);
        return new Object[][] {
            {"port: -1 (expected: 0-65535)", (Runnable) () -> new FrontEndConfig("h", -1, 4096, 16384, 0, s, s, 1, 1000, 0, json, null)},
            {"port: 65536 (expected: 0-65535)", (Runnable) () -> new FrontEndConfig("h", 65536, 4096, 16384, 0, s, s, 1, 1000, 0, json, null)},
            {"host: blank (expected: an address or a name)", (Runnable) () -> new FrontEndConfig(" ", 0, 4096, 16384, 0, s, s, 1, 1000, 0, json, null)},
            {"maxInitialLineLength: 10 (expected: >= 64)", (Runnable) () -> new FrontEndConfig("h", 0, 10, 16384, 0, s, s, 1, 1000, 0, json, null)},
            {"maxHeaderBytes: 1 (expected: >= 256)", (Runnable) () -> new FrontEndConfig("h", 0, 4096, 1, 0, s, s, 1, 1000, 0, json, null)},
            {"maxBodyBytes: -1 (expected: >= 0)", (Runnable) () -> new FrontEndConfig("h", 0, 4096, 16384, -1, s, s, 1, 1000, 0, json, null)},
            {"idleTimeout: PT0S (expected: > 0)", (Runnable) () -> new FrontEndConfig("h", 0, 4096, 16384, 0, Duration.ZERO, s, 1, 1000, 0, json, null)},
            {"firstByteTimeout: PT-1S (expected: > 0)", (Runnable) () -> new FrontEndConfig("h", 0, 4096, 16384, 0, s, s.negated(), 1, 1000, 0, json, null)},
            {"maxConnections: 0 (expected: 1 to 10000000)", (Runnable) () -> new FrontEndConfig("h", 0, 4096, 16384, 0, s, s, 0, 1000, 0, json, null)},
            {"maxStreams: 0 (expected: >= 1)", (Runnable) () -> new FrontEndConfig("h", 0, 4096, 16384, 0, s, s, 1, 0, 0, json, null)},
            {"ioThreads: -1 (expected: >= 0)", (Runnable) () -> new FrontEndConfig("h", 0, 4096, 16384, 0, s, s, 1, 1000, -1, json, null)},
            {"maxBodyBytesHeld: 1048575 (expected: 0 for a share of the heap, or at least maxBodyBytes, 1048576)",
                    (Runnable) () -> D.withMaxBodyBytesHeld(1024 * 1024 - 1)},
            {"maxBodyBytesHeld: -1 (expected: 0 for a share of the heap, or at least maxBodyBytes, 1048576)",
                    (Runnable) () -> D.withMaxBodyBytesHeld(-1)},
            {"maxUnfinishedStreams: 0 (expected: >= 1)", (Runnable) () -> D.withMaxUnfinishedStreams(0)},
            {"maxConnectionsPerAddress: 6 (expected: 0 for no such limit, or at most maxConnections, 5)",
                    (Runnable) () -> D.withMaxConnections(5).withMaxConnectionsPerAddress(6)},
            {"maxConnectionsPerAddress: 10001 (expected: 0 for no such limit, or at most maxConnections, 10000)",
                    (Runnable) () -> D.withMaxConnectionsPerAddress(10_001)},
            {"maxAnswersHeld: 3 (expected: 0 for a share of the heap, or 4 to 10000000)", (Runnable) () -> D.withMaxAnswersHeld(3)},
            {"drainTimeout: 99ms (expected: 100ms to 10m)", (Runnable) () -> D.withDrainTimeout(Duration.ofMillis(99))},
            {"drainTimeout: 601s (expected: 100ms to 10m)", (Runnable) () -> D.withDrainTimeout(Duration.ofSeconds(601))},
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidValuesAreRejectedWithTheField(String message, Runnable construct) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, construct::run).getMessage());
    }

    @Test
    void nullsAreRejectedByName() {
        assertEquals("host", assertThrows(NullPointerException.class,
                () -> FrontEndConfig.defaults(null, 0)).getMessage());
        assertEquals("dialectOf", assertThrows(NullPointerException.class,
                () -> D.withDialectOf(null)).getMessage());
        assertEquals("idleTimeout", assertThrows(NullPointerException.class,
                () -> D.withIdleTimeout(null)).getMessage());
        assertEquals("firstByteTimeout", assertThrows(NullPointerException.class,
                () -> D.withFirstByteTimeout(null)).getMessage());
        assertEquals("drainTimeout", assertThrows(NullPointerException.class,
                () -> D.withDrainTimeout(null)).getMessage());
    }

    @Test
    void theBodiesAServerHoldsAreBoundedByAShareOfTheHeapUnlessConfigured() {
        assertEquals(0, D.maxBodyBytesHeld());
        assertEquals(HeapShares.bodyBytes(Runtime.getRuntime().maxMemory(), D.maxBodyBytes()),
                D.effectiveMaxBodyBytesHeld());
        assertEquals(32L * 1024 * 1024, HeapShares.bodyBytes(512L * 1024 * 1024, 1024 * 1024));
        assertEquals(1024 * 1024, HeapShares.bodyBytes(8L * 1024 * 1024, 1024 * 1024),
                "never less than one largest body");
        assertEquals(5L * 1024 * 1024, D.withMaxBodyBytesHeld(5L * 1024 * 1024).effectiveMaxBodyBytesHeld());
        assertEquals(5L * 1024 * 1024, D.withMaxBodyBytesHeld(5L * 1024 * 1024).withIdleTimeout(Duration.ofSeconds(2))
                .maxBodyBytesHeld(), "kept by the other withers");
    }

    @Test
    void theAnswersHeldAreBoundedByAShareOfTheHeapUnlessConfigured() {
        assertEquals(0, D.maxAnswersHeld());
        assertEquals(HeapShares.answers(Runtime.getRuntime().maxMemory()), D.effectiveMaxAnswersHeld());
        assertEquals(4096, HeapShares.answers(1L << 30), "a quarter of 1 GiB in 64 KiB answers");
        assertEquals(32, HeapShares.answers(1L << 20), "never fewer than one connection's");
        assertEquals(FrontEndConfig.MAX_ANSWERS_HELD, HeapShares.answers(Long.MAX_VALUE));
        assertEquals(7, D.withMaxAnswersHeld(7).effectiveMaxAnswersHeld());
        assertEquals(4, D.withMaxAnswersHeld(4).effectiveMaxAnswersHeld(), "the fewest with a reserve: one place");
        assertEquals("maxAnswersHeld: -1 (expected: 0 for a share of the heap, or 4 to 10000000)",
                assertThrows(IllegalArgumentException.class, () -> D.withMaxAnswersHeld(-1)).getMessage());
    }

    @Test
    void firstByteTimeoutIsCappedByTheIdleTimeout() {
        assertEquals(Duration.ofSeconds(10), D.effectiveFirstByteTimeout());
        assertEquals(Duration.ofSeconds(2), D.withIdleTimeout(Duration.ofSeconds(2)).effectiveFirstByteTimeout());
        assertEquals(Duration.ofSeconds(60), D.withFirstByteTimeout(Duration.ofMinutes(5)).effectiveFirstByteTimeout());
    }

    /**
     * Each {@code with...} changes its own field and copies every other: a config whose every
     * field differs from the defaults, given each field's own value back, is equal to itself;
     * and a changed field is changed alone. Fails if a copy dropped or swapped a field.
     */
    @Test
    void eachCopyChangesItsOwnFieldOnly() {
        Function<String, Dialect> xml = path -> Dialect.XML;
        Duration d = Duration.ofMillis(400);
        FrontEndConfig c = new FrontEndConfig("10.0.0.1", 81, 100, 300, 5, Duration.ofSeconds(7), Duration.ofSeconds(3),
                9, 11, 2, xml, null, null, 32_768, 10, 13, 0, 77, 5, d);
        for (FrontEndConfig same : new FrontEndConfig[] {c.withMaxBodyBytes(5), c.withIdleTimeout(Duration.ofSeconds(7)),
                c.withFirstByteTimeout(Duration.ofSeconds(3)), c.withIoThreads(2), c.withMaxConnections(9),
                c.withMaxStreams(11), c.withDialectOf(xml), c.withSslContext(null), c.withSpool(null),
                c.withSendBufferBytes(32_768), c.withMaxBodyBytesHeld(10), c.withMaxUnfinishedStreams(13), c.withMaxAnswersHeld(77),
                c.withMaxConnectionsPerAddress(5), c.withDrainTimeout(d)}) {
            assertEquals(c, same);
        }
        assertEquals(new FrontEndConfig("10.0.0.1", 81, 100, 300, 5, Duration.ofSeconds(7), Duration.ofSeconds(3),
                9, 11, 2, xml, null, null, 32_768, 10, 14, 0, 77, 5, d), c.withMaxUnfinishedStreams(14));
        assertEquals(new FrontEndConfig("10.0.0.1", 81, 100, 300, 5, Duration.ofSeconds(7), Duration.ofSeconds(3),
                9, 11, 2, xml, null, null, 32_768, 10, 13, 0, 78, 5, d), c.withMaxAnswersHeld(78));
        assertEquals(new FrontEndConfig("10.0.0.1", 81, 100, 300, 6, Duration.ofSeconds(7), Duration.ofSeconds(3),
                9, 11, 2, xml, null, null, 32_768, 10, 13, 0, 77, 5, d), c.withMaxBodyBytes(6));
        assertEquals(new FrontEndConfig("10.0.0.1", 81, 100, 300, 5, Duration.ofSeconds(7), Duration.ofSeconds(3),
                9, 11, 2, xml, null, null, 32_768, 10, 13, 0, 77, 0, d), c.withMaxConnectionsPerAddress(0));
        assertEquals(new FrontEndConfig("10.0.0.1", 81, 100, 300, 5, Duration.ofSeconds(7), Duration.ofSeconds(3),
                9, 11, 2, xml, null, null, 32_768, 10, 13, 0, 77, 5, Duration.ofSeconds(9)),
                c.withDrainTimeout(Duration.ofSeconds(9)));
    }

    @Test
    void connectionsPerAddressAreUnlimitedUnlessConfigured() {
        assertEquals(0, D.maxConnectionsPerAddress());
        assertEquals(64, D.withMaxConnectionsPerAddress(64).maxConnectionsPerAddress());
        assertEquals("maxConnectionsPerAddress: -1 (expected: 0 to 10000000)",
                assertThrows(IllegalArgumentException.class, () -> D.withMaxConnectionsPerAddress(-1)).getMessage());
        assertEquals("maxConnectionsPerAddress: 10000001 (expected: 0 to 10000000)",
                assertThrows(IllegalArgumentException.class, () -> D.withMaxConnectionsPerAddress(10_000_001)).getMessage());
    }
}
