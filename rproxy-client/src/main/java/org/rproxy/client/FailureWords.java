package org.rproxy.client;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.rproxy.core.config.Durations;
import org.rproxy.core.sign.Verdict;

/**
 * The wording of the client's failures: the reason each kind of {@link ClientException} gives, in
 * a sentence an operator can act on, and the message that names the URL before it. The kinds
 * (what happened, and what an application may do about it) are {@link ClientException}'s; how
 * each reads is here, in one place. A failed connection's own words come from core's
 * {@code TransportFailures}. Stateless.
 */
final class FailureWords {

    private FailureWords() {
    }

    /** {@code d} in seconds, as few digits as it takes ({@code 20 s}, {@code 1.5 s}). */
    static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    /** An exception's message: the URL asked, then the reason. */
    static String message(URI uri, String reason) {
        return uri + ": " + reason;
    }

    /** {@link ClientException.Unreachable}: no connection ({@code why} in transport words). */
    static String unreachable(String why) {
        return "unreachable: " + why;
    }

    /** {@link ClientException.Refused}: the HTTP status, and the ALTO error's code and field when it sent one. */
    static String refused(int status, String altoCode, String altoField) {
        return "refused: HTTP " + status + (altoCode == null ? "" : " " + altoCode)
                + (altoField == null ? "" : " (field " + altoField + ")");
    }

    /** {@link ClientException.TimedOut}: what was not done within the timeout. */
    static String timedOut(String what) {
        return "timed out: " + what;
    }

    /** {@link ClientException.InvalidResponse} with the verifier's verdict. */
    static String invalid(Verdict verdict) {
        return invalid(verdict.outcome() + ": " + verdict.reason());
    }

    /** {@link ClientException.InvalidResponse} that did not get as far as a verdict, or a stream left. */
    static String invalid(String why) {
        return "invalid response: " + why;
    }

    /** {@link ClientException.OutsideValidity}: the verdict, the signed validity and the clock's reading. */
    static String outsideValidity(Verdict verdict, Instant localTime) {
        return "outside its validity at this client's clock: " + verdict.reason() + "; signed for "
                + verdict.created() + " to " + verdict.expires() + ", this client's clock reads " + localTime;
    }

    /** {@link ClientException.Rollback}: the version offered and the newer one held. */
    static String rollback(Instant held, Instant offered) {
        return "rollback: offered a version created " + offered + ", older than the held " + held;
    }

    /** {@link ClientException.StateFailure}: why the state file could not be written. */
    static String stateFile(String why) {
        return "state file: " + why;
    }

    /** {@link ClientException.Interrupted}. */
    static String interrupted() {
        return "interrupted: the calling thread was interrupted";
    }

    /** {@link ClientException.NoSourceLeft}: every attempt's message. */
    static String noSourceLeft(List<ClientException> attempts) {
        return "no source left: " + summary(attempts);
    }

    /** {@link ClientException.ClockSkew}, {@code nearest} being the copy nearest to valid. */
    static String clockSkew(ClientException.OutsideValidity nearest, List<ClientException> attempts) {
        return "this client's clock looks wrong: it reads " + nearest.localTime()
                + ", and every source that sent a document sent a copy valid only "
                + (nearest.notYetValid() ? "later (the clock looks behind" : "earlier (the clock looks ahead")
                + " by at least " + Durations.describe(FailedAttempts.offBy(nearest)) + "): " + summary(attempts);
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
}
