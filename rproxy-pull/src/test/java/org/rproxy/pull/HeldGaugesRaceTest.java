package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.RefusedPort;
import org.rproxy.core.testing.TestSigner;

/**
 * A pull proxy's per-target rows ({@code rproxy_resource_expires_seconds},
 * {@code rproxy_resource_created_time_seconds}) show exactly the targets it holds, however a hold
 * and an eviction of one target race on two threads (a real proxy, offered copies, its
 * {@code /metrics} scraped over a socket). The interleaving is made, not hoped for: a third
 * thread's registration of another target's rows is held up (Micrometer's own meter-added
 * callback) while one thread's copy of the target is evicted, so that the eviction waits for
 * the rows' lock after it found the target empty, and another thread holds the target anew
 * meanwhile. Each side used to act on what it had seen: the eviction then removed the rows the
 * new hold had just set, and the target stayed held without a row (an operator's "is my edge
 * fresh?" query lost it, and an alert on a missing row fired) until its next version.
 */
class HeldGaugesRaceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestSigner ORIGIN = new TestSigner();
    private static final String TARGET = "/costmap/held";
    private static final String OTHER = "/costmap/other";

    @TempDir
    Path dir;

    @Test
    void aTargetHeldAgainWhileItsEvictionWaitsKeepsItsRows() throws Exception {
        Path pub = ORIGIN.writePublic(dir.resolve("origin.pem"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        CountDownLatch registering = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        try (RefusedPort upstream = RefusedPort.open(); // offered copies only
             PullProxy proxy = PullProxy.start(config("http://127.0.0.1:" + upstream.port(), pub))) {
            String metrics = "http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics";
            Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(10);
            assertTrue(proxy.offer(copy(proxy, TARGET, created, 1_000)));
            assertEquals(Set.of(TARGET), rows(http, metrics));
            proxy.registry().config().onMeterAdded(m -> {
                if (OTHER.equals(m.getId().getTag("target")) && registering.getCount() > 0) {
                    registering.countDown();
                    await(letGo); // inside the rows' lock
                }
            });

            Future<Boolean> other = threads.submit(() -> proxy.offer(copy(proxy, OTHER, created, 1_000)));
            assertTrue(registering.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the other target's rows being registered");
            // a copy over the store's bound: put, and evicted at once on the thread that put it
            Thread[] evicting = new Thread[1];
            Future<Boolean> tooLarge = threads.submit(() -> {
                evicting[0] = Thread.currentThread();
                return proxy.offer(copy(proxy, TARGET, created, 1_500_000));
            });
            Eventually.await("the eviction waiting for the rows' lock", WAIT, () -> waitsInMetrics(evicting[0]));
            Future<Boolean> again = threads.submit(() -> proxy.offer(copy(proxy, TARGET, created, 1_000)));
            Eventually.await("the target held again", WAIT, () -> proxy.heldSignedTargets().contains(TARGET));
            letGo.countDown();
            for (Future<Boolean> f : List.of(other, tooLarge, again)) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }

            Set<String> held = new TreeSet<>(proxy.heldSignedTargets());
            assertEquals(Set.of(TARGET, OTHER), held);
            assertEquals(held, rows(http, metrics), "the targets with a row are those held");
        } finally {
            letGo.countDown();
            threads.shutdownNow();
        }
    }

    /** True when {@code t} waits to enter a monitor in {@link PullMetrics}: the rows' lock. */
    private static boolean waitsInMetrics(Thread t) {
        return t != null && t.getState() == Thread.State.BLOCKED && Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(PullMetrics.class.getName()));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A copy of {@code target} with a body of {@code size} hex digits (gzip halves it), verified by the proxy's verifier. */
    private static VerifiedRepresentation copy(PullProxy proxy, String target, Instant created, int size) {
        Random random = new Random(size);
        StringBuilder body = new StringBuilder("{\"x\":\"");
        for (int c = 0; c < size; c++) {
            body.append(Character.forDigit(random.nextInt(16), 16));
        }
        var r = ORIGIN.sign(target, body.append("\"}").toString(), true, created, Duration.ofHours(1), 3600);
        return ((VerifiedRepresentation.Verified) VerifiedRepresentation.verify(proxy.verifier(), target, r)).copy();
    }

    /** The targets with an {@code rproxy_resource_expires_seconds} row on the page at {@code url}. */
    private static Set<String> rows(HttpClient http, String url) throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, page.statusCode());
        Set<String> targets = new TreeSet<>();
        for (String line : page.body().split("\n")) {
            if (line.startsWith("rproxy_resource_expires_seconds{")) {
                int at = line.indexOf("target=\"") + "target=\"".length();
                targets.add(line.substring(at, line.indexOf('"', at)));
            }
        }
        return targets;
    }

    private static ProxyConfig config(String upstream, Path pub) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofSeconds(5)),
                new CacheConfig(ByteSize.ofMegabytes(1), null, null, false, null, null),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMillis(1),
                        Duration.ofHours(1)),
                new AdminConfig(new Address("127.0.0.1", 0)));
    }
}
