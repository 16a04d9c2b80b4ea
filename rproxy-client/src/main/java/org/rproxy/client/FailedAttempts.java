package org.rproxy.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.rproxy.core.sign.ResponseVerifier;

/**
 * How the attempts of a fetch that found no valid answer read together, for
 * {@link ClientException.NoSourceLeft}: whether they say this client's clock looks wrong
 * ({@link ClientException.ClockSkew}) rather than that the sources failed (their one-line summary
 * is {@link FailureWords#summary}). Stateless.
 */
final class FailedAttempts {

    private FailedAttempts() {
    }

    /**
     * The end of a fetch that {@code attempts} all failed: a {@link ClientException.ClockSkew} when
     * at least one source sent a document, and every one that did sent a copy outside its validity
     * at this client's clock, all on the same side of it ({@link #clockSkew}); else a plain
     * {@link ClientException.NoSourceLeft}.
     */
    static ClientException.NoSourceLeft end(URI uri, List<ClientException> attempts) {
        ClientException.OutsideValidity nearest = clockSkew(attempts);
        return nearest == null ? new ClientException.NoSourceLeft(uri, attempts)
                : new ClientException.ClockSkew(uri, nearest, attempts);
    }

    /** How far this client's clock was from the nearest time the copy {@code o} is valid at. */
    static Duration offBy(ClientException.OutsideValidity o) {
        return o.notYetValid() ? Duration.between(o.localTime().plus(ResponseVerifier.MAX_CLOCK_SKEW), o.created())
                : Duration.between(o.expires(), o.localTime());
    }

    /**
     * The copy nearest to being valid when {@code attempts} say this client's clock looks wrong: at
     * least one source sent a document, and every one that did sent a copy outside its validity at
     * this client's clock, all on the same side of it (none sent what does not verify, nor a
     * rollback; the others sent none: unreachable, timed out, TLS failure, refused); else null.
     */
    static ClientException.OutsideValidity clockSkew(List<ClientException> attempts) {
        ClientException.OutsideValidity nearest = null;
        for (ClientException e : attempts) {
            if (e instanceof ClientException.OutsideValidity o) {
                if (nearest != null && o.notYetValid() != nearest.notYetValid()) {
                    return null;
                }
                nearest = nearest == null || offBy(o).compareTo(offBy(nearest)) < 0 ? o : nearest;
            } else if (!(e instanceof ClientException.Unreachable || e instanceof ClientException.TimedOut
                    || e instanceof ClientException.TlsFailure || e instanceof ClientException.Refused)) {
                return null;
            }
        }
        return nearest;
    }
}
