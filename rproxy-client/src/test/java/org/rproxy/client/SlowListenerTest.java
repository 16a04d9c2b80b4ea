package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;

/**
 * An application's listener that takes longer than the read timeout over one change (a swarm
 * re-ranked, a database written) holds the follower's thread, so the stream is not read meanwhile;
 * that is the application's time, not the stream's silence. The follower keeps its stream and
 * tells no refusal; before, the watchdog took the stream for dead, told the listener "no event or
 * heartbeat for 5 s ... set the read timeout to about twice its heartbeat" (advice that does not
 * help) and subscribed again.
 */
class SlowListenerTest {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void aListenerBusyForLongerThanTheReadTimeoutKeepsItsStream() throws Exception {
        // the origin streams heartbeats every 0.5 s: only a listener that holds the thread keeps them unread
        try (LocalOrigin origin = LocalOrigin.startStreaming(dir, List.of(), Duration.ofHours(1));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withTimeout(Duration.ofSeconds(30)).withReadTimeout(READ_TIMEOUT))) {
            c.refreshMaps();
            HeardUpdates heard = new HeardUpdates();
            CountDownLatch returned = new CountDownLatch(1);
            UpdateFollower f = c.follow(new UpdateFollower.Listener() {
                private boolean busy = true;

                @Override
                public void changed(LocalAnswers answers) {
                    heard.changed(answers);
                    if (busy) { // the first change: the application's slow work
                        busy = false;
                        try {
                            Thread.sleep(READ_TIMEOUT.multipliedBy(2).plusSeconds(2).toMillis());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        returned.countDown();
                    }
                }

                @Override
                public void refused(ClientException why) {
                    heard.refused(why);
                }

                @Override
                public void following(URI stream) {
                    heard.following(stream);
                }
            });
            assertEquals(Optional.of(origin.uri() + "/updates"), heard.following.poll(30, TimeUnit.SECONDS),
                    heard::toString);
            LocalOrigin.writeCosts(origin.maps, 7);
            heard.awaitCost(7);
            assertTrue(returned.await(60, TimeUnit.SECONDS), "the listener returns");
            LocalOrigin.writeCosts(origin.maps, 8);
            heard.awaitCost(8);
            assertEquals(List.of(), List.copyOf(heard.refused), "nothing refused: the stream was not silent");
            assertEquals(List.of(), List.copyOf(heard.following), "still on the one stream, never subscribed again");
            f.close();
        }
    }
}
