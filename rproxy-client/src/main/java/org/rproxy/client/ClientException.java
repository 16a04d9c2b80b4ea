package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict;

/**
 * Why the client has no answer: a source it could not reach or that refused, or a response it
 * refused. Every one names the URL it concerns and the reason, and its class says which kind, so
 * an application can tell an outage (retry later) from tampering (alert) from its own stale
 * state. Thrown on the caller's thread (or handed to an update listener); immutable. This class
 * holds the kinds and what each carries; how each reads is {@link FailureWords}'.
 */
public abstract sealed class ClientException extends RuntimeException
        permits ClientException.Unreachable, ClientException.Refused, ClientException.TimedOut,
        ClientException.TlsFailure, ClientException.InvalidResponse, ClientException.OutsideValidity,
        ClientException.Rollback, ClientException.StateFailure, ClientException.NoSourceLeft,
        ClientException.Interrupted {

    /** The URL asked. */
    private final URI uri;
    /** Why, in a sentence. */
    private final String reason;

    private ClientException(URI uri, String reason, Throwable cause) {
        super(FailureWords.message(requireNonNull(uri, "uri"), requireNonNull(reason, "reason")), cause);
        this.uri = uri;
        this.reason = reason;
    }

    /** {@return the URL asked} */
    public URI uri() {
        return uri;
    }

    /** {@return why, in a sentence} */
    public String reason() {
        return reason;
    }

    /**
     * No connection, or one lost: refused, reset, a name that does not resolve ({@code unreachable:
     * ...}); a response whose body ended short of its length ({@code truncated response (177 of 355
     * bytes)}); an update stream that ended mid-way ({@code the update stream from ... closed}).
     */
    public static final class Unreachable extends ClientException {
        Unreachable(URI uri, String reason, Throwable cause) {
            super(uri, FailureWords.unreachable(reason), cause);
        }

        private Unreachable(Throwable cause, URI uri, String reason) {
            super(uri, reason, cause);
        }

        /** A connection that was made but lost, worded as {@code reason} alone (not "unreachable"). */
        static Unreachable lost(URI uri, String reason, Throwable cause) {
            return new Unreachable(cause, uri, reason);
        }
    }

    /** The source answered with an HTTP error status, with the ALTO error it sent if any. */
    public static final class Refused extends ClientException {
        /** The HTTP status. */
        private final int status;
        /** The ALTO error code, or null. */
        private final String altoCode;
        /** The ALTO error's field, or null. */
        private final String altoField;

        Refused(URI uri, int status, String altoCode, String altoField) {
            super(uri, FailureWords.refused(status, altoCode, altoField), null);
            this.status = status;
            this.altoCode = altoCode;
            this.altoField = altoField;
        }

        /** {@return the HTTP status the source answered with} */
        public int status() {
            return status;
        }

        /** {@return the RFC 7285 error code ({@code E_SYNTAX}, ...), or null when the body was none (an rproxy node's 5xx)} */
        public String altoCode() {
            return altoCode;
        }

        /** {@return the ALTO error's {@code field}, or null} */
        public String altoField() {
            return altoField;
        }
    }

    /** No answer within the client's timeout (connecting or waiting for the response). */
    public static final class TimedOut extends ClientException {
        TimedOut(URI uri, String reason, Throwable cause) {
            super(uri, FailureWords.timedOut(reason), cause);
        }
    }

    /**
     * The TLS handshake failed: an unknown CA, another host name ({@code the server's certificate
     * is not accepted: ...}), no common protocol ({@code TLS handshake failed: ...}).
     */
    public static final class TlsFailure extends ClientException {
        TlsFailure(URI uri, String reason, Throwable cause) {
            super(uri, reason, cause);
        }
    }

    /**
     * The response does not verify (the verifier's outcome and reason say what is wrong), cannot be
     * read as one, or is not HTTP at all (the JDK's refusal its cause); or an update stream let a map
     * held run late, or left the maps held not fitting (see {@link UpdateFollower}: whose source cools down).
     */
    public static final class InvalidResponse extends ClientException {
        /** The verifier's check failed, or null. */
        private final VerificationFailure failure;

        InvalidResponse(URI uri, Verdict verdict) {
            super(uri, FailureWords.invalid(verdict), null);
            this.failure = VerificationFailure.of(verdict.outcome());
        }

        InvalidResponse(URI uri, String reason) {
            this(uri, reason, null);
        }

        InvalidResponse(URI uri, String reason, Throwable cause) {
            super(uri, FailureWords.invalid(reason), cause);
            this.failure = null;
        }

        /** {@return the verifier's check that failed, or null (unreadable, or no renewal in time)} */
        public VerificationFailure failure() {
            return failure;
        }
    }

    /**
     * The response verifies (signed by a trusted key, the digest, the path asked for) but is not
     * valid at this client's clock: it expired, or it was created further ahead of the clock than
     * {@link ResponseVerifier#MAX_CLOCK_SKEW}. Refused all the same, never used; but no tampering:
     * the source holds a stale copy, or this client's own clock is wrong. The source does not cool
     * down for it (see {@link SourceHealth}); when every source answers so, a fetch ends in
     * {@link ClockSkew}.
     */
    public static final class OutsideValidity extends ClientException {
        /** The copy's {@code created}. */
        private final Instant created;
        /** The copy's {@code expires}. */
        private final Instant expires;
        /** Created ahead of the clock, rather than expired. */
        private final boolean notYetValid;
        /** This client's clock at the check. */
        private final Instant localTime;

        OutsideValidity(URI uri, Verdict verdict, Instant localTime) {
            super(uri, FailureWords.outsideValidity(verdict, localTime), null);
            this.created = verdict.created();
            this.expires = verdict.expires();
            this.notYetValid = verdict.outcome() == Verdict.Outcome.NOT_YET_VALID;
            this.localTime = requireNonNull(localTime, "localTime");
        }

        /** {@return the {@code created} of the copy's signature} */
        public Instant created() {
            return created;
        }

        /** {@return the {@code expires} of the copy's signature} */
        public Instant expires() {
            return expires;
        }

        /** {@return this client's clock when it checked the response} */
        public Instant localTime() {
            return localTime;
        }

        /** {@return true when created too far ahead of this client's clock, false when expired} */
        public boolean notYetValid() {
            return notYetValid;
        }
    }

    /** A validly signed version older than one this client has held: replayed or stale, refused. */
    public static final class Rollback extends ClientException {
        /** The {@code created} of the newest version held. */
        private final Instant held;
        /** The {@code created} of the version offered. */
        private final Instant offered;

        Rollback(URI uri, Instant held, Instant offered) {
            super(uri, FailureWords.rollback(held, offered), null);
            this.held = requireNonNull(held, "held");
            this.offered = requireNonNull(offered, "offered");
        }

        /** {@return the {@code created} of the newest version held} */
        public Instant held() {
            return held;
        }

        /** {@return the {@code created} of the version offered} */
        public Instant offered() {
            return offered;
        }
    }

    /**
     * A document from {@code uri} verified, but the client could not record it as the newest held
     * in its state file (a folder gone, a full disk): it is not taken, since a restart would not
     * remember it, and the version held stays. Not the source's fault: no other source is tried.
     */
    public static final class StateFailure extends ClientException {
        StateFailure(URI uri, String reason, Throwable cause) {
            super(uri, FailureWords.stateFile(reason), cause);
        }
    }

    /**
     * The calling thread was interrupted (a cancelled task, an executor shutting down) while the
     * client was asking {@code uri}, or before: the client stopped at once, asked no further
     * source and blamed none ({@link SourceHealth} is untouched), and the thread's interrupt
     * status is still set. The caller's doing, not a source's: not an outage.
     */
    public static final class Interrupted extends ClientException {
        Interrupted(URI uri, Throwable cause) {
            super(uri, FailureWords.interrupted(), cause);
        }
    }

    /**
     * Every source was tried and none gave a valid answer; each attempt's reason, in order. When
     * the sources that sent a document all sent copies valid only at another time, it is the
     * {@link ClockSkew} that says so.
     */
    public static sealed class NoSourceLeft extends ClientException permits ClockSkew {
        /** Every attempt, in order. */
        private final List<ClientException> attempts;

        NoSourceLeft(URI uri, List<ClientException> attempts) {
            this(uri, FailureWords.noSourceLeft(attempts), attempts);
        }

        private NoSourceLeft(URI uri, String reason, List<ClientException> attempts) {
            super(uri, reason, null);
            this.attempts = List.copyOf(attempts);
        }

        /** {@return every source's refusal or failure, in the order they were asked} */
        public List<ClientException> attempts() {
            return attempts;
        }
    }

    /**
     * This client's clock looks wrong: every source that sent a document sent a copy that
     * verifies but is valid only at another time, all on the same side of the clock (all created
     * ahead of it: the clock looks behind; or all expired: it looks ahead). Nothing was taken, and
     * no source was blamed or cooled down for it. Set the clock right (NTP) and try again. A
     * {@link NoSourceLeft}, with every attempt ({@link OutsideValidity} for each that sent one).
     */
    public static final class ClockSkew extends NoSourceLeft {
        /** This client's clock at the nearest copy's check. */
        private final Instant localTime;
        /** The clock looks behind. */
        private final boolean behind;
        /** The least the clock looks off by. */
        private final Duration offBy;

        ClockSkew(URI uri, OutsideValidity nearest, List<ClientException> attempts) {
            super(uri, FailureWords.clockSkew(nearest, attempts), attempts);
            this.localTime = nearest.localTime();
            this.behind = nearest.notYetValid();
            this.offBy = FailedAttempts.offBy(nearest);
        }

        /** {@return this client's clock, as it read when it checked the copy nearest to being valid} */
        public Instant localTime() {
            return localTime;
        }

        /** {@return true when the clock looks behind (copies created after it), false when it looks ahead (copies expired)} */
        public boolean behind() {
            return behind;
        }

        /** {@return the least the clock looks off by: how far it is from the nearest time one of the copies is valid at} */
        public Duration offBy() {
            return offBy;
        }
    }
}
