package org.rproxy.client;

import java.util.List;

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
                nearest = nearest == null || o.offBy().compareTo(nearest.offBy()) < 0 ? o : nearest;
            } else if (!(e instanceof ClientException.Unreachable || e instanceof ClientException.TimedOut
                    || e instanceof ClientException.TlsFailure || e instanceof ClientException.Refused)) {
                return null;
            }
        }
        return nearest;
    }
}
