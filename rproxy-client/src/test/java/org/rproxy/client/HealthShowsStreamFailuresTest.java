package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.testing.MutableClock;

/**
 * A proxy that serves every document but has no update stream (a bare pull proxy: its
 * {@code /updates} answers 404) is avoided by the followers, and {@link AltoClient#health()} says
 * so, though its fetches succeed: an application showing its sources, or choosing one from them,
 * sees the proxy the followers avoid, not an "askable" one. The record is the client's, so a
 * follower started after another was closed avoids the proxy too. A real streaming origin and a
 * scripted proxy on loopback.
 */
class HealthShowsStreamFailuresTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Longer than any failure window ({@link SourceHealth}: 10 min at most); the maps are valid for 1 h. */
    private static final Duration PAST_FAILURES = Duration.ofMinutes(10).plusSeconds(1);

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();
    private final MutableClock clock = MutableClock.now();

    @Test
    void aProxyWhoseFetchesWorkButWhoseStreamIsRefusedShowsItsStreamFailures() throws Exception {
        ScriptedProxy proxy = started.add(new ScriptedProxy());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))));
        for (String t : c.mapTargets()) {
            proxy.serve(t, c.fetch(t).representation()); // from the origin: the proxy serves nothing yet
        }
        proxy.serve(AnswerEngine.DIRECTORY, c.fetch(AnswerEngine.DIRECTORY).representation());
        clock.advance(PAST_FAILURES);
        c.refreshMaps();
        assertEquals(0, c.health().recentFailures(proxy.uri()), c.health()::toString);

        HeardUpdates heard = new HeardUpdates();
        UpdateFollower first = c.follow(heard);
        assertEquals(Optional.of(origin.uri() + "/updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                heard::toString);
        assertEquals(1, proxy.asked("/updates"), "subscribed at the proxy first");
        c.fetch(LocalOrigin.NETWORK_MAP); // from the proxy: its fetches succeed, its run of failures ends

        SourceStatus shown = statusOf(c, proxy);
        assertTrue(shown.toString().contains("stream: 1 recent failure"), () -> "health() shows the proxy the"
                + " follower avoids as it is: " + c.health());
        assertEquals(0, shown.recentFailures(), shown::toString);
        assertEquals(1, shown.recentStreamFailures(), shown::toString);
        assertTrue(shown.lastStreamFailure().contains("404"), shown::toString);
        assertEquals(1, c.health().recentStreamFailures(proxy.uri()));
        assertEquals(0, c.health().recentStreamFailures(origin.uri()), c.health()::toString);
        // what health() shows is what the follower goes by: no move to the proxy within the window
        assertNull(heard.following.poll(3, TimeUnit.SECONDS), heard::toString);

        // a follower started after this one is closed goes by the same record: the origin's stream at once
        first.close();
        HeardUpdates again = new HeardUpdates();
        started.add(c.follow(again));
        assertEquals(Optional.of(origin.uri() + "/updates"), again.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                again::toString);
        assertEquals(1, proxy.asked("/updates"), () -> "the proxy's stream not tried again within its window: " + again);

        // past the window it is tried again, and shown failing again: twice in a row
        clock.advance(PAST_FAILURES);
        org.rproxy.core.testing.Eventually.await("the proxy's stream tried again", WAIT,
                () -> c.health().recentStreamFailures(proxy.uri()) == 2);
        assertEquals(2, proxy.asked("/updates"));
    }

    private static SourceStatus statusOf(AltoClient c, ScriptedProxy proxy) {
        return c.health().sources().stream().filter(s -> s.source().equals(proxy.uri())).findFirst().orElseThrow();
    }
}
