package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.rproxy.core.sign.ResponseVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each version the origin signs is created: the clock's time in whole seconds (a signature's
 * {@code created} is an integer, RFC 9421 §2.3), and at least a second after the version signed
 * last. Two versions signed in the same second would carry the same {@code created}, and the
 * no-rollback rule of every proxy and client (nothing created before what is held) would let
 * anyone in between hand back the older one, for as long as its signature is valid; a version
 * created before the last is refused outright by whoever holds the last.
 *
 * <p>So a version may be created ahead of the clock, for one of two reasons, which the log tells
 * apart because the operator's remedy differs: maps that change more often than once a second
 * (a second ahead per extra change; warned at each version once past {@value #AHEAD_WARNING_SECONDS} s,
 * verifiers allowing {@link ResponseVerifier#MAX_CLOCK_SKEW}), or a clock stepped back (by NTP,
 * or by hand), after which every version is created a second after the last until the clock
 * passes it again: warned once at the step, naming what to check and what not to do, and told
 * at INFO once the clock has caught up. The last signing time is in memory only (ARCHITECTURE.md §4).
 * Thread-safe.
 */
final class SigningTimes {
    private static final Logger log = LoggerFactory.getLogger(Origin.class);
    static final long AHEAD_WARNING_SECONDS = 10;

    private final Clock clock;
    /** The {@code created} of the last version signed, or null. */
    private Instant lastSigned;
    /** The clock's time (whole seconds) when the last version was signed, or null. */
    private Instant lastClock;
    /** True from a step back of the clock that put the signing times ahead until the clock catches up. */
    private boolean steppedBack;

    SigningTimes(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** The {@code created} of the version about to be signed. */
    synchronized Instant next() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant t = lastSigned != null && !now.isAfter(lastSigned) ? lastSigned.plusSeconds(1) : now;
        long ahead = Duration.between(now, t).toSeconds();
        if (lastClock != null && now.isBefore(lastClock) && ahead > AHEAD_WARNING_SECONDS) {
            steppedBack = true;
            warnStepBack(Duration.between(now, lastClock).toSeconds(), now, ahead);
        } else if (steppedBack && ahead == 0) {
            steppedBack = false;
            log.info("the clock has passed the last signing time again: versions are signed at the clock's time");
        } else if (!steppedBack && ahead > AHEAD_WARNING_SECONDS) {
            log.warn("the maps change more often than once a second: this version is signed {} s ahead of the clock"
                    + " so that it is newer than the last, and verifiers refuse one more than {} s ahead of theirs;"
                    + " change the maps less often (each change within a second adds a second)", ahead,
                    ResponseVerifier.MAX_CLOCK_SKEW.toSeconds());
        }
        lastSigned = t;
        lastClock = now;
        return t;
    }

    private void warnStepBack(long back, Instant now, long ahead) {
        long skew = ResponseVerifier.MAX_CLOCK_SKEW.toSeconds();
        log.warn("the clock went back {} s (to {}): versions are signed a second after the last one, {} s ahead of the"
                + " clock, until it passes the last signing time (in about {} s), since proxies and clients holding the"
                + " last version refuse an older one as a rollback. Check the clock (NTP): if it is wrong now, set it"
                + " right, and the signing times follow it; if it is right, it was ahead before, and nothing needs"
                + " doing{}. Do not restart the origin for it: a restarted origin signs at its clock, older than what"
                + " proxies and clients hold, which they refuse for longer", back, now, ahead, ahead,
                ahead > skew ? " (verifiers with a right clock refuse versions created over " + skew + " s ahead of it,"
                        + " as they refused those signed before the step, for the next " + (ahead - skew) + " s, and"
                        + " serve what they hold meanwhile)" : "");
    }
}
