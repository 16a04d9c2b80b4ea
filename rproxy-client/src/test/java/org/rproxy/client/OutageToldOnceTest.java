package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.Eventually;

/**
 * A follower that polls (no source streams) tells its listener each failure once per outage, not
 * at every poll: a client following through an overlay while its origin is away heard the same
 * "Unreachable .../updates" every poll interval, and an application that logs what it hears
 * logged it that often. A URL that fails as it did is not told again; one that fails another way,
 * or fails again after it worked, is. The origin sits behind a relay that can answer every request
 * 404 (the origin away), whose count of subscriptions counts the polls: each poll subscribes first.
 */
class OutageToldOnceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AutoClose
    private final Started started = new Started();

    @Test
    void aPollingFollowerIsToldEachFailureOncePerOutageAndAgainAfterItWorked() throws Exception {
        SwitchableRelay relay = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.start(dir, List.of())); // no update stream: 404
        relay.relayTo(origin.uri().getPort());
        URI originUri = URI.create("http://127.0.0.1:" + relay.uri().getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withTimeout(Duration.ofSeconds(30)).withPollInterval(Duration.ofMillis(100))));
        c.refreshMaps();
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        String stream = originUri + "/updates";
        String map = originUri + c.mapTargets().get(0);

        polls(relay, 4);
        assertEquals(List.of("Refused " + stream), told(heard), "the stream refused at each poll, told once");

        // the origin away: the directory and the maps fail too, each told once however many polls
        relay.mode(SwitchableRelay.Mode.NOTHING);
        polls(relay, 2);
        List<String> outage = told(heard);
        assertTrue(outage.stream().anyMatch(t -> t.endsWith(originUri + "/directory")), outage.toString());
        for (String t : c.mapTargets()) {
            assertTrue(outage.stream().anyMatch(r -> r.endsWith(originUri + t)), t + " in " + outage);
        }
        polls(relay, 4);
        assertEquals(outage, told(heard), "nothing told again while the outage lasts");

        // back for a poll (the maps fetched), then away again: the map's failure is news again
        long before = told(heard).stream().filter(t -> t.endsWith(map)).count();
        relay.mode(SwitchableRelay.Mode.UP);
        polls(relay, 2);
        relay.mode(SwitchableRelay.Mode.NOTHING);
        polls(relay, 2);
        assertTrue(told(heard).stream().filter(t -> t.endsWith(map)).count() > before,
                "told again after it worked: " + told(heard));
    }

    /** Waits until the follower has subscribed {@code n} more times: each poll's first step, so n - 1 whole polls. */
    static void polls(SwitchableRelay relay, int n) {
        int target = relay.posts() + n;
        Eventually.await(n + " polls", WAIT, () -> relay.posts() >= target);
    }

    /** Each refusal told so far, as its kind and URL. */
    private static List<String> told(HeardUpdates heard) {
        return heard.refused.stream().map(e -> e.getClass().getSimpleName() + " " + e.uri()).toList();
    }
}
