package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.pull.PullProxy;

/**
 * A pull proxy and a push proxy, each configured with two upstreams in order of preference (two
 * streaming pull proxies in front of one origin), while clients read from both through the
 * client library, which verifies every document: upstream 1 is stopped, and the answers go on
 * from upstream 2 (the pull proxy revalidates there, the push proxy subscribes to its stream)
 * with not one refused; upstream 1 is started again on its address, and both proxies go back
 * to it once its health check passes.
 */
class UpstreamFailoverIT {
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String COST_MAP = PushTree.COST_MAP;

    @TempDir
    Path dir;

    @Test
    void aDeadUpstreamIsReplacedByTheNextAndPreferredAgainWhenItRecovers() throws Exception {
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        AtomicLong reads = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        StreamingPull first = null;
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir);
             StreamingPull second = upstream("upstream-2", lab, 0)) {
            first = upstream("upstream-1", lab, 0);
            int firstPort = first.pull().address().getPort();
            StreamingPull firstAtStart = first;
            UpstreamConfig both = UpstreamConfig.of(List.of(URI.create(first.pull().baseUri()),
                    URI.create(second.pull().baseUri())), List.of(lab.pub)).withTimeout(Duration.ofSeconds(5))
                    .withHealthCheck(Duration.ofMillis(200));
            try (PullProxy pull = PullProxy.start(Proxies.config("pull", lab.origin.baseUri(), lab.pub)
                         .withUpstream(both), Clock.systemUTC());
                 PushPullProxy push = PushPullProxy.start(Proxies.config("push", lab.origin.baseUri(), lab.pub)
                         .withUpstream(both).withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
                PushTree.await(STEP, "the push proxy follows upstream 1", () -> push.feed().held().containsKey(COST_MAP)
                        && subscribers(firstAtStart) > 0);
                AltoClient viaPull = AltoClient.bootstrap(ClientOptions.of(URI.create(pull.baseUri()), KeyPin.ofPem(lab.pub)));
                AltoClient viaPush = AltoClient.bootstrap(ClientOptions.of(URI.create(push.baseUri()), KeyPin.ofPem(lab.pub)));
                List<Future<?>> running = List.of(readers.submit(() -> read(viaPull, stop, reads, refused)),
                        readers.submit(() -> read(viaPush, stop, reads, refused)));
                PushTree.await(STEP, "reads from both proxies", () -> reads.get() > 10);
                double fromSecond = costMapRequests(second);

                first.close();
                PushTree.await(STEP, "the push proxy subscribed to upstream 2", () -> subscribers(second) > 0);
                PushTree.await(STEP, "the pull proxy revalidating at upstream 2",
                        () -> costMapRequests(second) > fromSecond + 2);
                long during = reads.get();
                PushTree.await(STEP, "reads while upstream 1 is down", () -> reads.get() > during + 10);

                first = upstream("upstream-1", lab, firstPort);
                StreamingPull again = first;
                PushTree.await(STEP, "the push proxy back on upstream 1", () -> subscribers(again) > 0);
                PushTree.await(STEP, "the pull proxy revalidating at upstream 1 again", () -> costMapRequests(again) > 2);
                long after = reads.get();
                PushTree.await(STEP, "reads after upstream 1 came back", () -> reads.get() > after + 10);
                stop.set(true);
                for (Future<?> f : running) {
                    f.get(STEP.toSeconds(), TimeUnit.SECONDS);
                }
                assertEquals(List.of(), refused, "responses refused while the upstreams changed");
                viaPull.close();
                viaPush.close();
            }
        } finally {
            stop.set(true);
            readers.shutdownNow();
            if (first != null) {
                first.close();
            }
        }
    }

    /** Reads until stopped through the client library, which verifies each document; every refusal is kept. */
    private static void read(AltoClient client, AtomicBoolean stop, AtomicLong reads, List<Throwable> refused) {
        while (!stop.get()) {
            try {
                client.fetch(COST_MAP);
                client.refreshMaps();
                reads.incrementAndGet();
            } catch (RuntimeException e) {
                refused.add(e);
            }
        }
    }

    private static long subscribers(StreamingPull upstream) {
        return upstream.publisher().stats().subscribers();
    }

    /** GETs of the cost map that {@code upstream} answered 200 or 304: its downstream proxies' fetches and revalidations. */
    private static double costMapRequests(StreamingPull upstream) {
        return Proxies.count(upstream.pull().registry(), "rproxy.requests", "path", COST_MAP);
    }

    private static StreamingPull upstream(String name, PlainSubscriberIT.Lab lab, int port) {
        ProxyConfig c = Proxies.config(name, lab.origin.baseUri(), lab.pub);
        c = c.withListen(new ListenConfig(new Address("127.0.0.1", port), null));
        return StreamingPull.start(c, StreamingPull.streamConfig(c), Clock.systemUTC());
    }
}
