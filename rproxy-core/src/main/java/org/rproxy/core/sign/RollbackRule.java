package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * When a signing older (by {@code created}) than the newest one a node took is refused as a
 * rollback: only while that newest signing is valid, its signature's {@code expires} not passed at
 * {@code now} (the verifying clock). While it is valid, an older signing is a replay of the past
 * (a lagging fallback, a cache in between, a replaying upstream) and refused; once it has expired
 * it no longer stands in the way of anything, so an origin whose clock was stepped back (an NTP
 * correction, a restored VM: every new signing older than one it made before) is followed again
 * without a restart. One rule for the push feed's held versions ({@code UpdateApplier}, the push
 * feed's {@code UpdateReceiver}), the pull proxy's copies held ({@code Admission}, {@code
 * CachedCopies}), the key set's newest directory ({@link TrustedKeys}) and, in the same terms, the
 * pull proxy's floors once a copy is gone ({@code RollbackFloors}). The client library's rollback
 * guard does not lapse.
 */
public final class RollbackRule {
    private RollbackRule() {
    }

    /**
     * The {@code created} below which a signing is refused as a rollback at {@code now}, given the
     * newest signing taken ({@code heldCreated}, valid until {@code heldExpires}): {@code
     * heldCreated} while that signature is valid, else null (nothing is refused as a rollback).
     * Made to be the {@link ResponseVerifier.Expectation#notBefore()} of the next check.
     */
    public static Instant floor(Instant heldCreated, Instant heldExpires, Instant now) {
        requireNonNull(heldCreated, "heldCreated");
        requireNonNull(heldExpires, "heldExpires");
        requireNonNull(now, "now");
        return heldExpires.isAfter(now) ? heldCreated : null;
    }

    /**
     * True when a signing created at {@code created} is refused at {@code now} as older than the
     * newest signing taken ({@code heldCreated}, valid until {@code heldExpires}). One created at
     * the same time as the held one is not refused (the same version, or its renewal).
     */
    public static boolean refuses(Instant created, Instant heldCreated, Instant heldExpires, Instant now) {
        requireNonNull(created, "created");
        Instant floor = floor(heldCreated, heldExpires, now);
        return floor != null && created.isBefore(floor);
    }
}
