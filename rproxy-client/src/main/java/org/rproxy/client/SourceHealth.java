package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What the client has seen of each source lately, for a {@link SourcePolicy} to rank by: a
 * source whose response failed verification (tampering, a broken cache, a wrong key) is cooling
 * down and not tried again until the cool-down has passed; one that could not be reached or
 * refused counts its consecutive failures (a success clears them); and every success feeds an
 * exponentially weighted moving average of its latency. Time comes from the injected clock.
 * Thread-safe.
 */
public final class SourceHealth {
    /** Weight of the newest latency sample in the moving average. */
    static final double ALPHA = 0.3;

    private record State(Instant coolingUntil, int failures, double ewmaMillis) {
        static final State NEW = new State(Instant.MIN, 0, Double.NaN);
    }

    private final Clock clock;
    private final Duration coolDown;
    private final Map<URI, State> states = new HashMap<>();

    SourceHealth(Clock clock, Duration coolDown) {
        this.clock = requireNonNull(clock, "clock");
        this.coolDown = requireNonNull(coolDown, "coolDown");
    }

    synchronized void succeeded(URI source, Duration latency) {
        State s = states.getOrDefault(source, State.NEW);
        double ms = latency.toNanos() / 1e6;
        double ewma = Double.isNaN(s.ewmaMillis) ? ms : ALPHA * ms + (1 - ALPHA) * s.ewmaMillis;
        states.put(source, new State(s.coolingUntil, 0, ewma));
    }

    synchronized void failed(URI source, ClientException why) {
        State s = states.getOrDefault(source, State.NEW);
        Instant until = why instanceof ClientException.InvalidResponse ? clock.instant().plus(coolDown) : s.coolingUntil;
        states.put(source, new State(until, s.failures + 1, s.ewmaMillis));
    }

    /** True while {@code source} is cooling down after a response that failed verification. */
    public synchronized boolean coolingDown(URI source) {
        return clock.instant().isBefore(states.getOrDefault(source, State.NEW).coolingUntil);
    }

    /** Failures since the last success of {@code source}. */
    public synchronized int recentFailures(URI source) {
        return states.getOrDefault(source, State.NEW).failures;
    }

    /** The moving average of {@code source}'s latency in milliseconds, or empty before its first success. */
    public synchronized OptionalDouble latencyMillis(URI source) {
        double ms = states.getOrDefault(source, State.NEW).ewmaMillis;
        return Double.isNaN(ms) ? OptionalDouble.empty() : OptionalDouble.of(ms);
    }
}
