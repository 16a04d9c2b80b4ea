package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.push.PushProxy;

/**
 * A revalidation directive goes down an update stream as it goes down a GET: an origin whose
 * documents reach the next node saying {@code must-revalidate} (a cache in between configured to
 * add it: here a relay that turns the origin's {@code stale-while-revalidate=} into
 * {@code must-revalidate, x-swr=}, bytes of the same length) → a pull proxy, which holds them so
 * and streams them on → push proxies, whose downstream answers then say {@code must-revalidate}
 * with no stale window, as the pull proxy's own do. Before, the stream carried {@code max-age}
 * alone, and a push proxy announced the stale windows the signature allows for a document its
 * upstream said must be revalidated. Real servers on loopback; the standalone push proxy serves
 * only what its stream brought.
 */
class PushedRevalidationIT {
    @TempDir
    Path dir;

    @Test
    void aPushProxyPassesOnTheRevalidationItsStreamCarriedWithoutStaleWindows() throws Exception {
        try (PushTree tree = PushTree.start(dir);
             Relay adding = new Relay(tree.originPort())) {
            adding.rewrite("stale-while-revalidate=", "must-revalidate, x-swr=");
            ProxyConfig pullConfig = Proxies.config("pull", adding.base(), tree.publicKey);
            try (StreamingPull pull = StreamingPull.start(pullConfig, StreamingPull.streamConfig(pullConfig),
                    Clock.systemUTC())) {
                List<String> upstream = directives(Proxies.get(pull.pull().baseUri() + PushTree.COST_MAP));
                assertEquals(List.of("max-age=60", "no-transform", "stale-while-revalidate=0", "must-revalidate"), upstream,
                        "the pull proxy's own answer, as its upstream said");

                PushProxy push = tree.proxy(pull.pull().baseUri());
                PushTree.await(Duration.ofSeconds(20), "the cost map pushed through the pull proxy",
                        () -> push.feed().held().containsKey(PushTree.COST_MAP));
                tree.verifiedBody(push.baseUri(), PushTree.COST_MAP);
                assertEquals(upstream, directives(tree.get(push.baseUri(), PushTree.COST_MAP)),
                        "the push proxy's answer from what the stream brought");

                // one more hop down the stream: the push proxy re-publishes the directive it holds
                PushProxy below = tree.proxy(push.baseUri());
                PushTree.await(Duration.ofSeconds(20), "the cost map pushed through the push proxy",
                        () -> below.feed().held().containsKey(PushTree.COST_MAP));
                assertEquals(upstream, directives(tree.get(below.baseUri(), PushTree.COST_MAP)),
                        "two push hops down");

                // rproxy proxy --mode push, which fetches nothing itself until asked (queries: upstream)
                ProxyConfig pushConfig = Proxies.config("push", pull.pull().baseUri(), tree.publicKey)
                        .withMode(ProxyConfig.Mode.PUSH).withQueries(ProxyConfig.Queries.UPSTREAM);
                try (PushPullProxy node = PushPullProxy.start(pushConfig, Clock.systemUTC())) {
                    PushTree.await(Duration.ofSeconds(20), "the cost map pushed to the push-mode proxy",
                            () -> node.pull().heldSignedTargets().contains(PushTree.COST_MAP));
                    assertEquals(upstream, directives(Proxies.get(node.baseUri() + PushTree.COST_MAP)),
                            "rproxy proxy --mode push");
                }
            }
        }
    }

    /** The control: without the directive the stream carries none, and the stale windows go on. */
    @Test
    void withoutOneThePushedCopyKeepsItsStaleWindows() throws Exception {
        try (PushTree tree = PushTree.start(dir)) {
            PushProxy push = tree.proxy(tree.originBase());
            PushTree.await(Duration.ofSeconds(20), "the cost map pushed",
                    () -> push.feed().held().containsKey(PushTree.COST_MAP));
            List<String> cc = directives(tree.get(push.baseUri(), PushTree.COST_MAP));
            assertEquals(List.of("max-age=60", "no-transform"), cc.subList(0, 2));
            assertTrue(cc.get(2).startsWith("stale-while-revalidate="), cc.toString());
            assertFalse(cc.contains("must-revalidate") || cc.contains("proxy-revalidate"), cc.toString());
        }
    }

    private static List<String> directives(HttpResponse<byte[]> r) {
        assertEquals(200, r.statusCode(), r.uri().toString());
        return Arrays.stream(r.headers().firstValue("cache-control").orElse("").split(",")).map(String::trim)
                .toList();
    }
}
