package org.rproxy.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code push:} section of the proxy config: defaults, every key read, every bad value refused. */
class PushConfigTest {
    @TempDir
    static Path dir;
    static String upstream;

    private final ConfigLoader loader = new ConfigLoader();

    @BeforeAll
    static void keyFile() throws IOException {
        Path pub = Files.writeString(dir.resolve("origin.pub"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        upstream = "upstream:\n  url: http://127.0.0.1:8181\n  trust: [" + pub + "]\n";
    }

    private ProxyConfig read(String push) {
        return loader.read("mode: push\n" + upstream + push, "push.yaml", ProxyConfig.class);
    }

    @Test
    void withoutAPushSectionTheDefaultsApply() {
        PushConfig p = read("").push();
        assertEquals(Duration.ofSeconds(10), p.heartbeat());
        assertEquals(Duration.ofSeconds(20), p.readTimeout());
        assertEquals(Duration.ofMillis(200), p.backoffMin());
        assertEquals(Duration.ofSeconds(30), p.backoffMax());
        assertEquals(256 * 1024, p.subscriberBuffer().bytes());
        assertEquals(Duration.ofSeconds(30), p.stallTimeout());
        assertEquals(PushConfig.defaults(), read("push: {}\n").push());
    }

    @Test
    void everyKeyIsRead() {
        PushConfig p = read("push:\n  heartbeat: 5s\n  read-timeout: 12s\n  backoff-min: 50ms\n  backoff-max: 2m\n"
                + "  subscriber-buffer: 1MB\n  stall-timeout: 45s\n").push();
        assertEquals(new PushConfig(Duration.ofSeconds(5), Duration.ofSeconds(12), Duration.ofMillis(50),
                Duration.ofMinutes(2), ByteSize.ofMegabytes(1), Duration.ofSeconds(45)), p);
    }

    @Test
    void subscriberLimitAndSignatureEventsAreRead() {
        PushConfig p = read("push: {max-subscribers: 20000, signature-events: false}\n").push();
        assertEquals(20000, p.maxSubscribers());
        assertEquals(false, p.signatureEvents());
        PushConfig d = PushConfig.defaults();
        assertEquals(null, d.maxSubscribers());
        assertEquals(null, d.maxPendingBytes());
        assertEquals(ByteSize.ofMegabytes(64), read("push: {max-pending-bytes: 64MB}\n").push().maxPendingBytes());
        assertEquals(true, d.signatureEvents());
    }

    @Test
    void equalBackoffBoundsAreAccepted() {
        PushConfig p = read("push: {backoff-min: 1s, backoff-max: 1s}\n").push();
        assertEquals(p.backoffMin(), p.backoffMax());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "heartbeat: 0s | push.yaml: push.heartbeat: 0s (expected: > 0)",
        "heartbeat: soon | push.yaml: push.heartbeat: 'soon' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
        "read-timeout: 0ms | push.yaml: push.read-timeout: 0s (expected: > 0)",
        "read-timeout: -5s | push.yaml: push.read-timeout: -5s (expected: > 0)",
        "read-timeout: 5 | push.yaml: push.read-timeout: '5' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
        "backoff-min: 0s | push.yaml: push.backoff-min: 0s (expected: > 0)",
        "backoff-max: 10x | push.yaml: push.backoff-max: '10x' is not a duration (expected e.g. 30s, 15m, 1h, 500ms)",
        "backoff-min: 2s, backoff-max: 1s | push.yaml: push.backoff-max: 1s (expected: >= backoff-min, 2s)",
        "backoff-max: 100ms | push.yaml: push.backoff-max: 100ms (expected: >= backoff-min, 200ms)",
        "subscriber-buffer: 12QB | push.yaml: push.subscriber-buffer: '12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)",
        "subscriber-buffer: 512 | push.yaml: push.subscriber-buffer: 512 (expected: 1KB to 1GB)",
        "subscriber-buffer: 2GB | push.yaml: push.subscriber-buffer: 2GB (expected: 1KB to 1GB)",
        "stall-timeout: 0s | push.yaml: push.stall-timeout: 0s (expected: > 0)",
        "stall-timeout: [1s] | push.yaml: push.stall-timeout: expected a single value, not a mapping or list",
        "max-subscribers: 0 | push.yaml: push.max-subscribers: 0 (expected: >= 1)",
        "max-pending-bytes: 1KB | push.yaml: push.max-pending-bytes: 1KB (expected: >= 64KB)",
        "max-pending-bytes: lots | push.yaml: push.max-pending-bytes: 'lots' is not a size (expected e.g. 256MB, 512KB, 2GB)",
        "signature-events: maybe | push.yaml: push.signature-events: 'maybe' is not true or false",
        "readtimeout: 1s | push.yaml: push.readtimeout: unknown key (known: backoff-max, backoff-min, heartbeat, max-pending-bytes, max-subscribers, read-timeout, signature-events, stall-timeout, subscriber-buffer)",
    })
    void aBadValueOrAnUnknownKeyIsRefusedNamingTheKeyAndTheReason(String push, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> read("push: {" + push + "}\n"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void aPushSectionThatIsNotAMappingIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> read("push: fast\n"));
        assertEquals("push.yaml: push: expected a mapping (such as push: {heartbeat: 10s, read-timeout: 20s})",
                e.getMessage());
    }
}
