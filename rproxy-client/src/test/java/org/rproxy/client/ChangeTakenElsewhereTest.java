package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.Eventually;

/**
 * A follower's listener is told every new version of the maps the client holds, also one that the
 * application's own {@link AltoClient#refreshMaps()} took first (a refresh button beside the
 * listener, or a refresh on a timer): the follower's next poll or stream event then brings a version
 * already held. Before, that changed nothing held, so the listener was told nothing, ever, of that
 * version: an application that updates its view from the listener stayed on the old costs.
 */
class ChangeTakenElsewhereTest {

    @TempDir
    Path dir;

    @Test
    void aVersionRefreshMapsTookFirstIsStillToldToTheListener() throws Exception {
        // no update stream at this origin (404): the follower polls, every 500 ms
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of());
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withTimeout(Duration.ofSeconds(30)).withPollInterval(Duration.ofMillis(500)))) {
            assertEquals(5.0, c.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow());
            HeardUpdates heard = new HeardUpdates();
            UpdateFollower f = c.follow(heard);
            assertEquals(Optional.empty(), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);
            LocalOrigin.writeCosts(origin.maps, 7);
            Eventually.await("the application's own refresh takes the edit once the origin has signed it",
                    Duration.ofSeconds(30), () -> c.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow() == 7);
            heard.awaitCost(7);
            f.close();
        }
    }
}
