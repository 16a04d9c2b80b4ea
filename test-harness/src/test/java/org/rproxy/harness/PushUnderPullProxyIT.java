package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.app.PushPullProxy;
import org.rproxy.app.StreamingPull;
import org.rproxy.core.config.ProxyConfig;

/**
 * A push proxy under a pull proxy that computes nothing itself ({@code queries: upstream}, so it
 * fetches no map until asked): the push proxy subscribes to the pull proxy's update stream, the
 * documents it follows count as asked for at the pull proxy, which fetches them and keeps
 * revalidating them although no client GETs them, and an edit at the origin reaches the push
 * proxy when the pull proxy's revalidation brings it (within about one {@code max-age}).
 */
class PushUnderPullProxyIT {
    @TempDir
    Path dir;

    @Test
    void followedDocumentsAreFetchedAndKeptFreshByThePullProxy() throws Exception {
        try (PlainSubscriberIT.Lab lab = PlainSubscriberIT.Lab.origin(dir);
             StreamingPull pull = startPull(lab);
             PushPullProxy push = PushPullProxy.start(Proxies.config("push", pull.pull().baseUri(), lab.pub)
                     .withMode(ProxyConfig.Mode.PUSH), Clock.systemUTC())) {
            PushTree.await(Duration.ofSeconds(20), "the cost map pushed through the pull proxy",
                    () -> push.feed().held().containsKey(PushTree.COST_MAP));
            PushTree.writeRoutingCost(lab.maps, 66);
            // max-age is 2 s: the pull proxy revalidates the followed map before it runs out.
            PushTree.await(Duration.ofSeconds(15), "the edit pushed after the pull proxy revalidated",
                    () -> push.feed().held().get(PushTree.COST_MAP).identity().body().asUtf8().contains("\"PID2\":66"));
            assertTrue(pull.publisher().followedTargets().contains(PushTree.COST_MAP), pull.publisher().followedTargets()
                    .toString());
        }
    }

    private static StreamingPull startPull(PlainSubscriberIT.Lab lab) {
        ProxyConfig c = Proxies.config("pull", lab.origin.baseUri(), lab.pub).withQueries(ProxyConfig.Queries.UPSTREAM);
        return StreamingPull.start(c, StreamingPull.streamConfig(c), Clock.systemUTC());
    }
}
