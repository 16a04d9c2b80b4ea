package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;

/**
 * {@link UpdateFollower#close()} waits for its threads up to the client's timeout in all, as its
 * Javadoc says, also when both of them hang: the subscription of a move off the origin's stream
 * and the follower's own subscription, each at a proxy that sent the head of an answer and never
 * its body. A contract check, not a performance one: close is waited for with a deadline a little
 * above the documented bound. A real streaming origin behind a relay (to cut its stream), and a
 * relay as the proxy.
 */
class UpdateFollowerCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(4);
    /** Longer than any failure window ({@link SourceHealth}: 10 min at most); the maps are valid for 1 h. */
    private static final Duration PAST_FAILURES = Duration.ofMinutes(10).plusSeconds(1);

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();
    private final MutableClock clock = MutableClock.now();

    @Test
    void closeWaitsNoLongerThanTheTimeoutInAllWhileAMoveAndTheFollowerHangAtAProxy() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        SwitchableRelay toOrigin = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        toOrigin.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        URI originUri = URI.create("http://127.0.0.1:" + toOrigin.uri().getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))
                .withTimeout(TIMEOUT)));
        c.refreshMaps(); // from the origin: the proxy is down
        HeardUpdates heard = new HeardUpdates();
        UpdateFollower f = started.add(c.follow(heard));
        assertEquals(Optional.of(originUri + "/updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                heard::toString);

        proxy.mode(SwitchableRelay.Mode.HEAD_ONLY);
        clock.advance(PAST_FAILURES);
        Eventually.await("the move's subscription at the proxy", WAIT, () -> proxy.posts() == 1);
        toOrigin.mode(SwitchableRelay.Mode.DOWN); // the origin's stream cut: the follower subscribes at the proxy
        toOrigin.mode(SwitchableRelay.Mode.UP);
        Eventually.await("the follower's own subscription at the proxy", WAIT, () -> proxy.posts() == 2);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(f::close);
        Duration deadline = TIMEOUT.plusMillis(1500);
        try {
            closing.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long t0 = System.nanoTime();
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("close() took over " + deadline + " (its bound: the timeout, " + TIMEOUT
                    + "); it returned " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after that");
        }
    }
}
