package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.ProtocolException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.OptionalDouble;

/**
 * What the client has seen of each source lately, for a {@link SourcePolicy} to rank by: a
 * source whose response failed verification (tampering, a broken cache, a wrong key), or whose
 * update stream let a map run late without its renewal ({@link UpdateFollower}), is cooling
 * down and not tried again until the cool-down has passed; so is one that offered a version
 * older than the one held (a {@link ClientException.Rollback}: a stale cache or a replay), for 1
 * min or the cool-down if that is shorter, since a stale pull proxy refreshes within about one
 * {@code max-age} (60 s by default) and is then as good as any, while tampering does not mend
 * itself and a replaying proxy still costs no more than a download a minute; a source whose
 * answer was not HTTP at all cools down for the cool-down, doubled at each such answer in a row, up
 * to an hour ({@link #notHttpCoolDown}: each one, an {@code InvalidResponse} caused by the JDK's
 * {@link ProtocolException}, leaves the JDK a socket it keeps); a copy that verifies
 * but is not valid at the client's clock ({@link ClientException.OutsideValidity}) cools nothing
 * down, since the clock may be what is wrong (the client records it only when another source's copy
 * was valid); a 404 or 410 counts only when another source then has the document, since a
 * target no source has is the application's mistake, not theirs; every failure (unreachable, refused, timed out, invalid, out of its validity) makes the source <em>recently failing</em> for a window that starts at 30 s
 * and doubles with each consecutive failure, up to 10 min (30 s, 1, 2, 4, 8, 10 min), counted from
 * the failure or, for a source cooling down, from the end of its cool-down. Once the window has
 * passed the source is no longer recently failing and is ranked as any other (so a proxy that
 * answered one 503 is back in its place 30 s later, while one that keeps failing is asked
 * ever less often, at least once every 10 min); its next success clears the run, its next failure
 * lengthens it. Every success also feeds an exponentially weighted moving average of its latency.
 *
 * <p>Beside that, each source's update-stream subscriptions have a run of their own
 * ({@link #recentStreamFailures}), kept by the client's {@link UpdateFollower}s: a subscription
 * refused or unanswered, or a stream the source ended before it lasted the read timeout, is a
 * failure, with the same doubling window; a stream that lasts it ends the run as soon as it has
 * (the origin's too, whose streams followers try whatever its record says). A fetch's success
 * does not: a proxy that serves documents but has no stream (a bare pull proxy) or one that ends
 * each stream at once is askable for fetches and still avoided by followers, and this record is
 * what they avoid it by, so that an application's status page (or its own choice of a proxy) sees
 * what the followers see.
 *
 * <p>{@link #sources()} gives every source's state at once (also printed by {@link #toString()}), for
 * an application's status page. Time comes from the injected clock. Thread-safe.
 */
public final class SourceHealth {
    /** Weight of the newest latency sample in the moving average. */
    static final double ALPHA = 0.3;
    /** How long a source's first failure in a row counts as recent; each next one doubles it. */
    static final Duration FIRST_FAILURE_WINDOW = Duration.ofSeconds(30);
    /** The longest a failure counts as recent, however many came before it. */
    static final Duration MAX_FAILURE_WINDOW = Duration.ofMinutes(10);
    /** How long a source that offered a rollback cools down, when the cool-down is longer. */
    static final Duration ROLLBACK_COOL_DOWN = Duration.ofMinutes(1);
    /** The longest a source answering not HTTP in a row cools down, unless the cool-down is longer. */
    static final Duration MAX_NOT_HTTP_COOL_DOWN = Duration.ofHours(1);

    /**
     * @param failures     consecutive failures since the last success
     * @param failingUntil until when the last of them counts as recent
     * @param notHttp      consecutive answers that were not HTTP since the last success
     */
    private record State(Instant coolingUntil, int failures, Instant failingUntil, double ewmaMillis,
                         String lastFailure, int notHttp) {
        static final State NEW = new State(Instant.MIN, 0, Instant.MIN, Double.NaN, null, 0);
    }

    private final Clock clock;
    private final Duration coolDown;
    private final Map<URI, State> states = new HashMap<>();
    /** Each source's update-stream subscriptions: failures in a row and the window of the last (no cool-down, no latency). */
    private final Map<URI, State> streams = new HashMap<>();
    /** The sources listed, in order (the proxies, then the origin), and any other recorded since. */
    private final Set<URI> listed = new LinkedHashSet<>();
    private URI origin;

    SourceHealth(Clock clock, Duration coolDown) {
        this.clock = requireNonNull(clock, "clock");
        this.coolDown = requireNonNull(coolDown, "coolDown");
    }

    synchronized void succeeded(URI source, Duration latency) {
        State s = states.getOrDefault(source, State.NEW);
        double ms = latency.toNanos() / 1e6;
        double ewma = Double.isNaN(s.ewmaMillis) ? ms : ALPHA * ms + (1 - ALPHA) * s.ewmaMillis;
        states.put(source, new State(s.coolingUntil, 0, Instant.MIN, ewma, null, 0));
        listed.add(source);
    }

    /**
     * Ends {@code source}'s run of failures without a latency sample: for a success that is not an
     * exchange timed from request to answer (a follower's stream that lasted the read timeout,
     * whose subscription's answer was sampled already when it came, {@link Subscriber}).
     */
    synchronized void succeeded(URI source) {
        State s = states.getOrDefault(source, State.NEW);
        states.put(source, new State(s.coolingUntil, 0, Instant.MIN, s.ewmaMillis, null, 0));
        listed.add(source);
    }

    synchronized void failed(URI source, ClientException why) {
        State s = states.getOrDefault(source, State.NEW);
        Instant now = clock.instant();
        Instant until = s.coolingUntil;
        int notHttp = s.notHttp;
        if (why instanceof ClientException.InvalidResponse && why.getCause() instanceof ProtocolException) {
            notHttp = Math.min(notHttp + 1, 30);
            until = later(until, now.plus(notHttpCoolDown(notHttp)));
        } else if (why instanceof ClientException.InvalidResponse) {
            until = later(until, now.plus(coolDown));
        } else if (why instanceof ClientException.Rollback) {
            until = later(until, now.plus(coolDown.compareTo(ROLLBACK_COOL_DOWN) < 0 ? coolDown : ROLLBACK_COOL_DOWN));
        }
        int failures = s.failures == Integer.MAX_VALUE ? s.failures : s.failures + 1;
        Instant askable = until.isAfter(now) ? until : now;
        states.put(source, new State(until, failures, askable.plus(failureWindow(failures)), s.ewmaMillis,
                why.reason(), notHttp));
        listed.add(source);
    }

    /**
     * Ends {@code source}'s run of failed subscriptions: its stream lasted the read timeout
     * ({@link UpdateFollower}; a subscription answered is not yet a success, the stream may end at once).
     */
    synchronized void streamSucceeded(URI source) {
        streams.remove(source);
        listed.add(source);
    }

    /**
     * A subscription at {@code source} failed, or its stream ended before it lasted the read
     * timeout: its stream failures in a row count one more, recent for the window of that many
     * (counted from the end of the source's cool-down, if it is cooling down).
     */
    synchronized void streamFailed(URI source, ClientException why) {
        State s = streams.getOrDefault(source, State.NEW);
        Instant now = clock.instant();
        Instant cooling = states.getOrDefault(source, State.NEW).coolingUntil;
        int failures = s.failures == Integer.MAX_VALUE ? s.failures : s.failures + 1;
        Instant from = cooling.isAfter(now) ? cooling : now;
        streams.put(source, new State(Instant.MIN, failures, from.plus(failureWindow(failures)), Double.NaN, why.reason(), 0));
        listed.add(source);
    }

    /** Lists the client's sources, for {@link #sources()}: the proxies in their order, the origin last. */
    synchronized void list(List<URI> proxies, URI origin) {
        listed.addAll(proxies);
        listed.add(origin);
        this.origin = origin;
    }

    /**
     * {@return every source's state now: the client's proxies in the directory's order, then the origin
     * (then any other source recorded, such as an overlay's), each whether or not it was asked yet}
     */
    public synchronized List<SourceStatus> sources() {
        Instant now = clock.instant();
        List<SourceStatus> out = new ArrayList<>(listed.size());
        for (URI source : listed) {
            State s = states.getOrDefault(source, State.NEW);
            State st = streams.getOrDefault(source, State.NEW);
            out.add(new SourceStatus(source, source.equals(origin), now.isBefore(s.coolingUntil) ? s.coolingUntil : null,
                    now.isBefore(s.failingUntil) ? s.failures : 0, s.lastFailure, latencyMillis(source),
                    now.isBefore(st.failingUntil) ? st.failures : 0, st.lastFailure));
        }
        return out;
    }

    /** Every source's state, one line each (see {@link SourceStatus#toString()}). */
    @Override
    public String toString() {
        List<SourceStatus> all = sources();
        StringBuilder sb = new StringBuilder("SourceHealth (").append(all.size()).append(all.size() == 1 ? " source)" : " sources)");
        all.forEach(s -> sb.append(System.lineSeparator()).append("  ").append(s));
        return sb.toString();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * How long the {@code n}th answer in a row that was not HTTP cools its source down: the
     * cool-down, doubling, at most an hour (or the cool-down, if longer). Each such answer leaves
     * the JDK a connection it keeps (on Java 17 to 20 for the JVM's life): a source that keeps
     * answering so costs a client a few sockets a day rather than one per cool-down, and one that
     * was mended is asked again within the hour.
     */
    Duration notHttpCoolDown(int n) {
        Duration longest = coolDown.compareTo(MAX_NOT_HTTP_COOL_DOWN) > 0 ? coolDown : MAX_NOT_HTTP_COOL_DOWN;
        Duration d = coolDown;
        for (int i = 1; i < n && d.compareTo(longest) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(longest) < 0 ? d : longest;
    }

    /** How long the {@code n}th consecutive failure counts as recent: 30 s doubling, at most 10 min. */
    static Duration failureWindow(int n) {
        Duration w = FIRST_FAILURE_WINDOW.multipliedBy(1L << Math.min(Math.max(n - 1, 0), 10));
        return w.compareTo(MAX_FAILURE_WINDOW) < 0 ? w : MAX_FAILURE_WINDOW;
    }

    /**
     * {@return true while {@code source} is cooling down after a response that failed verification
     * or was a rollback}
     *
     * @param source a proxy's or the origin's URL, as {@link #sources()} lists it
     */
    public synchronized boolean coolingDown(URI source) {
        return clock.instant().isBefore(states.getOrDefault(source, State.NEW).coolingUntil);
    }

    /**
     * {@return the consecutive failures of {@code source} since its last success while the last of them is
     * recent (see the class comment), else 0: a source for which this is above 0 is recently failing}
     *
     * @param source a proxy's or the origin's URL, as {@link #sources()} lists it
     */
    public synchronized int recentFailures(URI source) {
        State s = states.getOrDefault(source, State.NEW);
        return clock.instant().isBefore(s.failingUntil) ? s.failures : 0;
    }

    /**
     * {@return the failed update-stream subscriptions at {@code source} in a row (refused, unanswered, or
     * a stream it ended before it lasted the read timeout) while the last of them is recent, else 0:
     * a source for which this is above 0 is not subscribed to by the client's followers, whatever
     * its fetches do}
     *
     * @param source a proxy's or the origin's URL, as {@link #sources()} lists it
     */
    public synchronized int recentStreamFailures(URI source) {
        State s = streams.getOrDefault(source, State.NEW);
        return clock.instant().isBefore(s.failingUntil) ? s.failures : 0;
    }

    /**
     * {@return the moving average of {@code source}'s latency in milliseconds, or empty before its
     * first success}
     *
     * @param source a proxy's or the origin's URL, as {@link #sources()} lists it
     */
    public synchronized OptionalDouble latencyMillis(URI source) {
        double ms = states.getOrDefault(source, State.NEW).ewmaMillis;
        return Double.isNaN(ms) ? OptionalDouble.empty() : OptionalDouble.of(ms);
    }
}
