package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;

/**
 * A follower that has no stream to follow tells its listener {@code following(null)} once, when it
 * turns to polling, not again at each poll: an application showing or logging how it is connected
 * ("now polling") heard it every poll interval, as if something had changed each time.
 */
class PollingToldOnceTest {

    @TempDir
    Path dir;

    @AutoClose
    private final Started started = new Started();

    @Test
    void pollingIsToldOnceNotAtEachPoll() throws Exception {
        // no update stream at this origin (404): the follower polls, every 200 ms
        SwitchableRelay relay = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.start(dir, List.of()));
        relay.relayTo(origin.uri().getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(URI.create("http://127.0.0.1:"
                + relay.uri().getPort()), KeyPin.ofKeyId(origin.keyId())).withTimeout(Duration.ofSeconds(30))
                .withPollInterval(Duration.ofMillis(200))));
        c.refreshMaps();
        HeardUpdates heard = new HeardUpdates();
        UpdateFollower f = c.follow(heard);
        // each poll tries the stream first, through the relay, which counts it: four are three polls
        OutageToldOnceTest.polls(relay, 4);
        assertEquals(List.of(Optional.empty()), List.copyOf(heard.following), "polling, told once");
        f.close();
    }
}
