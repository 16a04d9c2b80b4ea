package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.Eventually;

/**
 * A follower that has no stream to follow tells its listener {@code following(null)} once, when it
 * turns to polling, not again at each poll: an application showing or logging how it is connected
 * ("now polling") heard it every poll interval, as if something had changed each time.
 */
class PollingToldOnceTest {

    @TempDir
    Path dir;

    @Test
    void pollingIsToldOnceNotAtEachPoll() throws Exception {
        // no update stream at this origin (404): the follower polls, every 200 ms
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of());
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withTimeout(Duration.ofSeconds(30)).withPollInterval(Duration.ofMillis(200)))) {
            c.refreshMaps();
            HeardUpdates heard = new HeardUpdates();
            UpdateFollower f = c.follow(heard);
            // each poll tries the stream first, and is refused it (404): three of those are three polls
            Eventually.await("three polls", Duration.ofSeconds(60), () -> heard.refused.size() >= 3);
            assertEquals(List.of(Optional.empty()), List.copyOf(heard.following), "polling, told once");
            f.close();
        }
    }
}
