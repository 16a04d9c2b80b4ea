package org.rproxy.client;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import org.rproxy.core.store.Representation;

/**
 * Whether an update stream has let the maps it renews run late. The origin signs every document
 * again at half its validity ({@code expires - created}), and a stream that keeps up sends each
 * new signature as it is made (and its newest one at once to a new subscriber), so the maps a
 * client follows on it keep over half their validity left, less the time a renewal takes to
 * arrive. A held map with less than a quarter of its validity left at this client's clock
 * ({@link #DUE}) has missed its renewal by a quarter validity or more: the stream is not keeping
 * up (a source that sends only heartbeats, or whose own upstream is gone), and another source's
 * stream or a poll must bring the renewal before the map expires. The quarter is the margin
 * for the renewal's way through push proxies and for this client's clock: a clock up to a
 * quarter validity ahead of the origin's leaves a stream that keeps up alone (15 min at the
 * default validity of 1 h). Stateless.
 */
final class Renewals {
    /** The share of its validity a held map has left when its renewal is overdue. */
    static final int DUE = 4;

    private Renewals() {
    }

    /**
     * Why the stream at {@code stream} is left, when a map held in {@code state} has less than
     * {@code 1/}{@value #DUE} of its validity left at {@code now}; else null (also while no map is held).
     */
    static ClientException.InvalidResponse overdue(HeldState state, Instant now, URI stream) {
        for (String target : state.mapTargets()) {
            Representation r = state.get(target);
            if (r == null) {
                continue;
            }
            Duration validity = Duration.between(r.created(), r.expires());
            if (!now.isBefore(r.expires().minus(validity.dividedBy(DUE)))) {
                return new ClientException.InvalidResponse(stream, "update stream: no renewal of " + target
                        + " in time: its signature, valid for " + FailureWords.seconds(validity) + ", expires at "
                        + r.expires() + " (" + (now.isBefore(r.expires())
                        ? FailureWords.seconds(Duration.between(now, r.expires())) + " left" : "past") + " at this"
                        + " client's clock) and was not renewed at half its validity, as the origin"
                        + " renews it, so this client left the stream for another source");
            }
        }
        return null;
    }
}
