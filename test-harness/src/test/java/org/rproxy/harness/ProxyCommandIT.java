package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.harness.InProcessCommand.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.ProxyConfig;

/**
 * {@code rproxy proxy} refuses a bad configuration before it listens, naming the key and the
 * reason (exit 2), and the documented {@code conf/pull.yaml} is a valid configuration.
 */
class ProxyCommandIT {
    @TempDir
    Path dir;

    @Test
    void theShippedPullYamlIsValid() throws Exception {
        Path pub = Files.writeString(dir.resolve("origin.pub"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        String yaml = Files.readString(TestPaths.repo().resolve("conf/pull.yaml")).replace("keys/origin.pub", pub.toString());
        ProxyConfig c = new ConfigLoader().read(yaml, "conf/pull.yaml", ProxyConfig.class);
        assertEquals(ProxyConfig.Mode.PULL, c.mode());
        assertEquals("edge-1", c.name());
        assertEquals(List.of("/directory", "/capability"), c.upstream().prefetch());
        assertEquals(256L << 20, c.cache().maxBytes().bytes());
        assertEquals(Duration.ofSeconds(5), c.refresh().retry());
        assertEquals(10_000, c.listen().maxConnections());
        assertEquals(true, c.push().signatureEvents());
    }

    @Test
    void aBadConfigFileStopsTheProxyNamingTheKey() throws Exception {
        Path file = Files.writeString(dir.resolve("pull.yaml"), "cache:\n  max-bytes: 12QB\nupstream:\n  trust: [x.pub]\n");
        String err = run(2, "proxy", "--config", file.toString());
        assertTrue(err.contains(file + ": cache.max-bytes: '12QB' is not a size"), err);
        Files.writeString(file, "cache:\n  max-bytes: 1MB\nupstream:\n  trust: []\n");
        err = run(2, "proxy", "--config", file.toString());
        assertTrue(err.contains(file + ": upstream.url: missing"), err);
    }

    @Test
    void badOptionsAreRefusedBeforeListening() throws Exception {
        Path pub = Files.writeString(dir.resolve("origin.pub"), "x");
        assertTrue(run(2, "proxy", "--trust", pub.toString()).contains("--upstream: missing"));
        assertTrue(run(2, "proxy", "--upstream", "ftp://x", "--trust", pub.toString()).contains("--upstream: 'ftp://x'"));
        assertTrue(run(2, "proxy", "--upstream", "http://127.0.0.1:1", "--trust", pub.toString(), "--max-bytes", "lots")
                .contains("'lots' is not a size"));
        assertTrue(run(2, "proxy", "--upstream", "http://127.0.0.1:1", "--trust", pub.toString())
                .contains("--trust: " + pub + ": no 'PUBLIC KEY' block"), "an unreadable key is named, by the option given");
        assertTrue(run(2, "proxy", "--mode", "sideways", "--upstream", "http://127.0.0.1:1", "--trust", pub.toString())
                .contains("--mode: 'sideways' (expected: pull or push)"));
        assertTrue(run(2, "proxy", "--queries", "nearby", "--upstream", "http://127.0.0.1:1", "--trust", pub.toString())
                .contains("--queries: 'nearby' (expected: local or upstream)"));
        assertTrue(run(2, "proxy", "--max-connections", "0", "--upstream", "http://127.0.0.1:1", "--trust", pub.toString())
                .contains("--max-connections: 0 (expected: 1 to 10000000;"));
        assertTrue(run(2, "proxy", "--max-unfinished-streams", "0", "--upstream", "http://127.0.0.1:1", "--trust",
                pub.toString()).contains("--max-unfinished-streams: 0 (expected: 1 to 10000000"));
        assertTrue(run(2, "proxy", "--max-subscribers", "0", "--upstream", "http://127.0.0.1:1", "--trust", pub.toString())
                .contains("--max-subscribers: 0 (expected: >= 1)"));
        String tiny = run(2, "proxy", "--max-pending-bytes", "1KB", "--upstream", "http://127.0.0.1:1", "--trust",
                pub.toString());
        assertTrue(tiny.contains("--max-pending-bytes: 1KB (expected: >= 64KB)"), tiny);
    }
}
