package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.testing.Eventually;
import org.rproxy.core.testing.MutableClock;

/**
 * A follower that fell back to the origin's update stream while the only proxy was down moves
 * back to the proxy's stream once the proxy is no longer recently failing, and closes the
 * origin's; a proxy that still cannot stream costs the origin's stream nothing (its subscription
 * is tried beside it, and the origin's goes on), and {@link AltoClient#health()} shows the proxy's
 * failed subscriptions the followers go by; closing a follower whose move hangs at a proxy ends
 * within its bound. A real origin with its update stream, a relay in front of it as the proxy
 * (a scripted proxy where its fetches must work); the client's clock is moved past the proxy's
 * failure window. The cases mostly wait and each has its own origin, relays and client, so they
 * run three at a time; the one that counts the JVM's client threads runs alone.
 */
@Execution(ExecutionMode.CONCURRENT)
class MoveToProxyTest {
    /** The client threads of the JVM: every case starts some, one counts them, so it runs alone. */
    static final String CLIENT_THREADS = "rproxy-client threads";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Longer than any failure window ({@link SourceHealth}: 10 min at most); the maps are valid for 1 h. */
    private static final Duration PAST_FAILURES = Duration.ofMinutes(10).plusSeconds(1);
    /** The client's timeout where a test closes a follower whose subscriptions hang. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(8); // time for the origin's answers on a busy machine

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();
    private final MutableClock clock = MutableClock.now();

    @Test
    @ResourceLock(value = CLIENT_THREADS, mode = ResourceAccessMode.READ)
    void aFollowerOnTheOriginsStreamMovesToTheProxysOnceItIsNoLongerRecentlyFailing() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        proxy.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        HeardUpdates heard = new HeardUpdates();
        AltoClient c = fallenBackToTheOrigin(origin, proxy, heard);

        proxy.mode(SwitchableRelay.Mode.UP);
        // no move while the proxy's failures are recent (30 s doubling with each in a row)
        assertNull(heard.following.poll(3, TimeUnit.SECONDS), heard::toString);
        assertEquals(1, origin.openStreams());
        clock.advance(PAST_FAILURES);
        assertEquals(Optional.of(proxy.base() + "updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                heard::toString);
        // the proxy (a relay) streams from the origin too: one stream there, the proxy's, not two
        Eventually.await("the client's own stream at the origin closed", WAIT, () -> origin.openStreams() == 1);
        assertTrue(heard.refused.isEmpty(), () -> "the move is no one's failure: " + heard);
        assertEquals(0, c.health().recentFailures(proxy.uri()));

        // the proxy's stream carries the changes from now on
        LocalOrigin.writeCosts(origin.maps, 42);
        heard.awaitCost(42);
    }

    @Test
    @ResourceLock(value = CLIENT_THREADS, mode = ResourceAccessMode.READ)
    void aProxyWithoutAStreamIsTriedBesideTheOriginsWhichGoesOn() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        proxy.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.NOTHING);
        HeardUpdates heard = new HeardUpdates();
        AltoClient c = fallenBackToTheOrigin(origin, proxy, heard);
        int tried = proxy.posts();

        clock.advance(PAST_FAILURES);
        Eventually.await("the proxy's stream tried again", WAIT, () -> proxy.posts() > tried);
        Eventually.await("the proxy failing again", WAIT, () -> c.health().recentFailures(proxy.uri()) > 0);
        assertNull(heard.following.poll(1, TimeUnit.SECONDS), () -> "still on the origin's stream, not subscribed again: "
                + heard);
        assertEquals(1, origin.openStreams());
        assertTrue(heard.refused.isEmpty(), () -> "a move that did not happen tells nothing: " + heard);
        LocalOrigin.writeCosts(origin.maps, 43);
        heard.awaitCost(43);
    }

    /**
     * The origin's stream ends on its own while the proxy's is being subscribed to for a move, and
     * the follower subscribes at the proxy itself meanwhile: the stream opened for the move, answered
     * first, is closed, not left open unread beside the one the follower reads (an HTTP connection
     * and a subscriber at the proxy, and behind it at the origin, held for as long as the
     * follower's stream lasts). The proxy's answers are held back and let through one by one.
     */
    @Test
    @ResourceLock(value = CLIENT_THREADS, mode = ResourceAccessMode.READ)
    void aStreamOpenedForAMoveAfterTheOriginsEndedOnItsOwnIsClosed() throws Exception {
        GatedMove m = followingTheOriginWithAGatedProxy();
        Eventually.await("the client on the origin's stream", WAIT, () -> m.origin().openStreams() == 1);

        m.proxy().mode(SwitchableRelay.Mode.UP);
        clock.advance(PAST_FAILURES);
        m.gate().awaitPosts(1); // the move's subscription, held
        m.toOrigin().mode(SwitchableRelay.Mode.DOWN); // the origin's stream ends on its own
        m.toOrigin().mode(SwitchableRelay.Mode.UP);
        m.gate().awaitPosts(2); // the follower's own subscription at the proxy, held
        m.gate().release(1);
        Eventually.await("the move's subscription answered", WAIT,
                () -> m.client().health().latencyMillis(m.proxy().uri()).isPresent());
        m.gate().release(2);

        Eventually.await("the follower on the proxy's stream", WAIT,
                () -> m.heard().following.contains(Optional.of(m.proxy().base() + "updates")));
        try {
            Eventually.await("one stream through the proxy and one at the origin (the proxy's)", Duration.ofSeconds(10),
                    () -> m.gate().openConnections() == 1 && m.origin().openStreams() == 1);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; open: " + m.gate().openConnections() + " through the proxy, "
                    + m.origin().openStreams() + " at the origin", e);
        }
        LocalOrigin.writeCosts(m.origin().maps, 44);
        m.heard().awaitCost(44);
    }

    /**
     * The origin's stream goes silent while the subscription for a move hangs at the proxy (its
     * answer held back): the silence is noticed within the read timeout, not once the move's
     * subscription has ended (after the client's timeout), since that subscription does not run on
     * the thread that watches for silence. Measured by events: the silence is told to the listener
     * while the subscription is still under way (the proxy not failing, its answer still held).
     * Closing the client ends the subscription's thread.
     */
    @Test
    @ResourceLock(value = CLIENT_THREADS, mode = ResourceAccessMode.READ_WRITE)
    void aStreamFallingSilentIsNoticedWhileTheMovesSubscriptionHangs() throws Exception {
        GatedMove m = followingTheOriginWithAGatedProxy();
        // the proxy down
        assertTrue(m.heard().refused.poll(WAIT.toSeconds(), TimeUnit.SECONDS) != null, m.heard()::toString);

        m.proxy().mode(SwitchableRelay.Mode.UP);
        clock.advance(PAST_FAILURES);
        m.gate().awaitPosts(1); // the move's subscription, its answer held for the client's timeout (20 s)
        m.toOrigin().mode(SwitchableRelay.Mode.SILENT); // the origin's stream: not a byte more, not even a heartbeat

        ClientException silence = m.heard().await(ClientException.Unreachable.class);
        assertTrue(silence.getMessage().contains("no event or heartbeat for 2 s"), silence::getMessage);
        assertEquals(0, m.client().health().recentFailures(m.proxy().uri()), () -> "the silence was noticed only once"
                + " the move's subscription had ended: " + m.client().health());
        assertTrue(m.client().health().latencyMillis(m.proxy().uri()).isEmpty(),
                () -> "the move's subscription was answered: " + m.client().health());

        m.client().close();
        Eventually.await("the move's subscription ended with the client", WAIT,
                () -> threadsNamed("rproxy-client-updates").isEmpty());
    }

    /** The pieces of {@link #followingTheOriginWithAGatedProxy}. */
    private record GatedMove(SwitchableRelay proxy, SwitchableRelay toOrigin, LocalOrigin origin, GatedRelay gate,
                             HeardUpdates heard, AltoClient client) {
    }

    /**
     * A streaming origin reached through a switchable relay ({@code toOrigin}), a proxy (a switchable
     * relay, down) whose answers a {@link GatedRelay} holds back, and a client (read timeout 2 s, poll
     * interval 1 s, timeout 20 s) that took its maps from the origin and follows the origin's stream.
     */
    private GatedMove followingTheOriginWithAGatedProxy() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        SwitchableRelay toOrigin = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        GatedRelay gate = started.add(new GatedRelay(origin.uri().getPort()));
        proxy.relayTo(gate.port());
        toOrigin.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        HeardUpdates heard = new HeardUpdates();
        URI originUri = URI.create("http://127.0.0.1:" + toOrigin.uri().getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))
                .withTimeout(Duration.ofSeconds(20))));
        c.refreshMaps(); // from the origin: the proxy fails
        started.add(c.follow(heard));
        assertEquals(Optional.of(originUri + "/updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                heard::toString);
        return new GatedMove(proxy, toOrigin, origin, gate, heard, c);
    }

    /** The live threads whose names start with {@code prefix}. */
    private static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).toList();
    }

    /**
     * A flapping proxy: it answers every subscription and ends the stream at once. The follower
     * that moved to it must not stay there re-subscribing with no update ever coming (it never
     * polls while streams are answered), nor bounce back to it from the origin's stream every
     * 30 s: a stream ended before it lasted the read timeout is a failed subscription, and the
     * proxy's failures in a row lengthen its window (30 s, then 1 min) as for a proxy refusing.
     */
    @Test
    @ResourceLock(value = CLIENT_THREADS, mode = ResourceAccessMode.READ)
    void aProxyWhoseStreamsEndAtOnceIsLeftForTheOriginsAndTriedEverLessOften() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        proxy.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        HeardUpdates heard = new HeardUpdates();
        fallenBackToTheOrigin(origin, proxy, heard);

        proxy.mode(SwitchableRelay.Mode.ENDING);
        clock.advance(PAST_FAILURES);
        Eventually.await("moved to the proxy", WAIT, () -> heard.following.contains(Optional.of(proxy.base() + "updates")));
        Eventually.await("back on the origin's stream", WAIT, () -> origin.openStreams() == 1);
        LocalOrigin.writeCosts(origin.maps, 45);
        heard.awaitCost(45);
        heard.following.clear();
        int tried = proxy.posts();
        // the proxy's second failure in a row: recent for 1 min, no move within 30 s (+ the spread)
        clock.advance(Duration.ofSeconds(32));
        assertNull(heard.following.poll(3, TimeUnit.SECONDS), heard::toString);
        assertEquals(tried, proxy.posts(), "not tried again within its window");
    }

    /** A client following, whose subscription at the proxy failed and who follows the origin's stream. */
    private AltoClient fallenBackToTheOrigin(LocalOrigin origin, SwitchableRelay proxy, HeardUpdates heard)
            throws Exception {
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))));
        c.refreshMaps(); // from the origin: the proxy fails
        started.add(c.follow(heard));
        assertEquals(Optional.of(origin.uri() + "/updates"), heard.following.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                heard::toString);
        ClientException failed = heard.refused.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(failed != null && failed.uri().equals(URI.create(proxy.base() + "updates")), heard::toString);
        assertInstanceOf(ClientException.class, failed);
        assertEquals(1, origin.openStreams());
        return c;
    }

    /**
     * A proxy that serves every document but has no update stream (a bare pull proxy: its
     * {@code /updates} answers 404) is avoided by the followers, and {@link AltoClient#health()} says
     * so, though its fetches succeed: an application showing its sources, or choosing one from them,
     * sees the proxy the followers avoid, not an "askable" one. The record is the client's, so a
     * follower started after another was closed avoids the proxy too.
     */
    @Test
    @ResourceLock(value = CLIENT_THREADS, mode = ResourceAccessMode.READ)
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
        Eventually.await("the proxy's stream tried again", WAIT,
                () -> c.health().recentStreamFailures(proxy.uri()) == 2);
        assertEquals(2, proxy.asked("/updates"));
    }

    private static SourceStatus statusOf(AltoClient c, ScriptedProxy proxy) {
        return c.health().sources().stream().filter(s -> s.source().equals(proxy.uri())).findFirst().orElseThrow();
    }

    /**
     * {@link UpdateFollower#close()} waits for its threads up to the client's timeout in all, as its
     * Javadoc says, also when both of them hang: the subscription of a move off the origin's stream
     * and the follower's own subscription, each at a proxy that sent the head of an answer and never
     * its body. A contract check, not a performance one: close is waited for with a deadline a little
     * above the documented bound.
     */
    @Test
    @ResourceLock(value = CLIENT_THREADS, mode = ResourceAccessMode.READ)
    void closeWaitsNoLongerThanTheTimeoutInAllWhileAMoveAndTheFollowerHangAtAProxy() throws Exception {
        SwitchableRelay proxy = started.add(new SwitchableRelay());
        SwitchableRelay toOrigin = started.add(new SwitchableRelay());
        LocalOrigin origin = started.add(LocalOrigin.startStreaming(dir, List.of(proxy.base()), Duration.ofHours(1)));
        toOrigin.relayTo(origin.uri().getPort());
        proxy.mode(SwitchableRelay.Mode.DOWN);
        URI originUri = URI.create("http://127.0.0.1:" + toOrigin.uri().getPort());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withClock(clock).withReadTimeout(Duration.ofSeconds(2)).withPollInterval(Duration.ofSeconds(1))
                .withTimeout(CLOSE_TIMEOUT)));
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
        Duration deadline = CLOSE_TIMEOUT.plusMillis(1500);
        try {
            closing.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long t0 = System.nanoTime();
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("close() took over " + deadline + " (its bound: the timeout, " + CLOSE_TIMEOUT
                    + "); it returned " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after that");
        }
    }
}
