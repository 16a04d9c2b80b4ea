package org.rproxy.client;

import java.util.List;

import org.rproxy.core.config.Durations;

/**
 * How the attempts of a fetch that found no valid answer read together, for
 * {@link ClientException.NoSourceLeft}: whether they say this client's clock looks wrong
 * ({@link ClientException.ClockSkew}) rather than that the sources failed, and the one-line
 * summary of them all. Stateless.
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

    /** Every attempt's message, in order, separated by "; " (or "no source to try"). */
    static String summary(List<ClientException> attempts) {
        if (attempts.isEmpty()) {
            return "no source to try";
        }
        StringBuilder sb = new StringBuilder();
        for (ClientException e : attempts) {
            sb.append(sb.length() == 0 ? "" : "; ").append(e.getMessage());
        }
        return sb.toString();
    }

    /** Why a {@link ClientException.ClockSkew} was thrown, {@code nearest} being the copy nearest to valid. */
    static String clockSkewReason(ClientException.OutsideValidity nearest, List<ClientException> attempts) {
        return "this client's clock looks wrong: it reads " + nearest.localTime()
                + ", and every source that sent a document sent a copy valid only "
                + (nearest.notYetValid() ? "later (the clock looks behind" : "earlier (the clock looks ahead")
                + " by at least " + Durations.describe(nearest.offBy()) + "): " + summary(attempts);
    }
}
