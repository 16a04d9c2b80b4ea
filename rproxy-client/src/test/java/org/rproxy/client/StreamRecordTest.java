package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;

/**
 * The client's record of update-stream failures ({@link SourceHealth#recentStreamFailures}, which
 * {@code health()} shows a status page) is cleared by a stream that lasts the read timeout while
 * it goes on, the origin's as a proxy's. The origin's streams were not recorded at all, only its
 * refused subscriptions: a follower that met the origin restarting, then followed its stream for
 * good, had health() print the origin with {@code stream: 1 recent failure} until the window
 * passed, and each later refusal made the run longer. A real streaming origin (heartbeats every
 * 0.5 s) behind a relay; the client's clock stands still, so only a success clears the run.
 */
class StreamRecordTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();
    private final MutableClock clock = MutableClock.now();

    @Test
    void theOriginsStreamThatLastsClearsItsRefusedSubscriptions() throws Exception {
        SwitchableRelay toOrigin = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(), Duration.ofHours(1)));
        toOrigin.relayTo(origin.uri().getPort());
        URI originUri = URI.create("http://127.0.0.1:" + toOrigin.uri().getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))
                .withTimeout(Duration.ofSeconds(10))));
        c.refreshMaps();

        toOrigin.mode(SwitchableRelay.Mode.NOTHING); // every subscription refused 404, as an origin restarting behind a cache
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        Eventually.await("the origin's refused subscription recorded (" + c.health() + ")", WAIT,
                () -> c.health().recentStreamFailures(originUri) > 0);

        toOrigin.mode(SwitchableRelay.Mode.UP);
        String stream = originUri + "/updates";
        Optional<String> followed;
        do {
            followed = heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(followed != null, () -> "the follower never followed the origin's stream: " + heard);
        } while (!followed.equals(Optional.of(stream)));
        try {
            Eventually.await("the origin's stream failures cleared once its stream lasted the read timeout", WAIT,
                    () -> c.health().recentStreamFailures(originUri) == 0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + c.health(), e);
        }
        assertEquals(1, origin.openStreams(), "the stream that cleared it is still followed");
        assertTrue(heard.following.isEmpty(), () -> "the follower left the stream: " + heard.following);
    }
}
