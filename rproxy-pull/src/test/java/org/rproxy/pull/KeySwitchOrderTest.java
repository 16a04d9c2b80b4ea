package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * The origin switches keys (docs/origin.md, "Key rotation", step 2) while a pull proxy that
 * trusts both holds a map due for its refresh before its directory is (real sockets: a raw
 * loopback upstream): the proxy holds, and so tells its update stream, the directory re-signed at
 * the switch before the map signed by the next key. The stream sends what it is told in that
 * order (a due directory first), so a push proxy below that had not learnt the next key learns
 * it before it needs it. The map was held, and streamed, first: the push proxy refused it
 * ({@code UNKNOWN_KEY}) and had it sent again only after {@code push.backoff-min}, once the
 * directory's own refresh had come, up to a {@code max-age} later.
 */
class KeySwitchOrderTest {
    private static final TestSigner OLD = new TestSigner();
    private static final TestSigner NEXT = new TestSigner();
    private static final String MAP = "/costmap/c0";

    @TempDir
    Path dir;

    private volatile TestSigner signing = OLD;

    @Test
    void aMapSignedByTheNextKeyIsHeldAfterTheDirectoryReSignedAtTheSwitch() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        List<String> told = new CopyOnWriteArrayList<>();
        try (RawUpstream up = new RawUpstream(RawUpstream.signedNow(() -> signing, clock::instant,
                target -> "max-age=" + (target.equals("/directory") ? 120 : 60))); // the directory fresh for longer
             PullProxy proxy = PullProxy.start(config(up.url()), clock, UnaryOperator.identity())) {
            proxy.addChangeListener((target, r) -> told.add(target)); // as StreamingPull's publisher is
            assertEquals(200, UpstreamFailureLogTest.get(proxy, MAP));
            clock.advance(Duration.ofSeconds(1));
            assertEquals(200, UpstreamFailureLogTest.get(proxy, MAP)); // asked for again: refreshed ahead of max-age
            int before = told.size();

            signing = NEXT; // the switch: everything signed again, the directory included
            clock.advance(Duration.ofSeconds(57)); // the map within 5 s of its max-age (60 s), the directory not (120 s)
            proxy.refreshNow().get();
            assertEquals(List.of("/directory", MAP), told.subList(before, told.size()),
                    "the directory told before the map the next key signs");
        }
    }

    private ProxyConfig config(String upstream) throws IOException {
        List<Path> trust = List.of(OLD.writePublic(dir.resolve("old.pem")), NEXT.writePublic(dir.resolve("next.pem")));
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), trust).withTimeout(Duration.ofSeconds(20)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                null);
    }
}
