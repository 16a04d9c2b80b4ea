package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.sign.FieldsVerdict;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.stream.SignatureEvent;

/**
 * Checks every document the client takes, from a response or rebuilt from an update stream, the
 * same way: the core verifier (signature by a trusted key, content digest, the path asked for,
 * expiry and clock skew: a time failure is {@link ClientException.OutsideValidity}, not tampering)
 * with the newest {@code created} held for that target as the rollback floor; then
 * records the new high; a verified directory teaches the keys it lists, unless the key set has
 * learnt from a newer one ({@link TrustedKeys#learnFrom}), and is kept for the next bootstrap
 * ({@link KeptDirectory}). Only the uncompressed
 * variant is ever asked for and kept. Thread-safe.
 */
final class Checker {
    private final ResponseVerifier verifier;
    private final RollbackGuard guard;
    private final TrustedKeys learns;
    private final KeptDirectory kept;
    /** Told of every document taken (the overlay, which may seed it), or null. */
    private volatile OverlaySource held;

    /** @param learns the keys a verified directory teaches (the origin's next key), or null to learn none */
    Checker(ResponseVerifier verifier, RollbackGuard guard, TrustedKeys learns) {
        this(verifier, guard, learns, null);
    }

    /**
     * @param learns the keys a verified directory teaches (the origin's next key), or null to learn none
     * @param kept   where a verified directory is kept for a bootstrap without the origin, or null
     */
    Checker(ResponseVerifier verifier, RollbackGuard guard, TrustedKeys learns, KeptDirectory kept) {
        this.verifier = requireNonNull(verifier, "verifier");
        this.guard = requireNonNull(guard, "guard");
        this.learns = learns;
        this.kept = kept;
    }

    /**
     * Tells {@code overlay} of every document this checker takes from now on, whatever its source
     * ({@link OverlaySource#held}), so that a peer seeds what it got from a proxy's stream as
     * well as what it got from the overlay. A failure of the overlay's is its own: the document
     * is taken all the same. Null tells none.
     *
     * @return this checker
     */
    Checker tellHeld(OverlaySource overlay) {
        this.held = overlay;
        return this;
    }

    /**
     * Checks what came in order (the bootstrap's directory) against the newest version held now.
     *
     * @param uri    where the bytes came from, for the error
     * @param header a signed header field by lower-case name, or null
     * @throws ClientException.Rollback        for a valid version older than the one held
     * @throws ClientException.OutsideValidity for one that verifies but is not valid at the clock
     * @throws ClientException.InvalidResponse for anything else the verifier refuses
     */
    Representation check(URI uri, String target, Function<String, String> header, Bytes body, long maxAgeSeconds) {
        return check(uri, target, header, body, maxAgeSeconds, guard.held(target));
    }

    /**
     * Checks the answer to a request against {@code floor}, the newest version held when the
     * request was sent ({@link #held}, read before sending): a source may not hand back anything
     * older than what the client knew of when it asked. Requests of several threads overlap, and
     * one may take a newer version while another's answer, current when it was served, is still
     * on its way: that answer is no rollback, and the held high stays where the newer one put it.
     * An update stream is checked so too, against the newest version verified when subscribing
     * (read before, like a request's: held, or only fetched or recorded in the state file), then
     * against the last one it sent ({@link StreamReader}).
     *
     * @param floor null when nothing was held
     * @throws ClientException.Rollback        for a valid version older than {@code floor}
     * @throws ClientException.OutsideValidity for one that verifies but is not valid at the clock
     * @throws ClientException.InvalidResponse for anything else the verifier refuses
     */
    Representation check(URI uri, String target, Function<String, String> header, Bytes body, long maxAgeSeconds,
                         Instant floor) {
        return accept(uri, target, header, body, maxAgeSeconds, floor,
                verifier.verify(header, body.unsafeArray(), new Expectation(target, floor)));
    }

    /**
     * Checks the body rebuilt for an update whose signed fields passed {@link #checkFields}, as
     * {@link #check(URI, String, Function, Bytes, long, Instant)} checks the whole, with the same
     * refusals in the same words ({@link FieldsVerdict#withBody}: the body's digest and coding,
     * then the times at the clock now), but not their signature again: one signature check per
     * update, however large the document rebuilt.
     *
     * @throws ClientException.OutsideValidity for one no longer valid at the clock
     * @throws ClientException.InvalidResponse for a body the fields' digest does not match
     */
    Representation check(Admitted fields, Bytes body, long maxAgeSeconds) {
        return accept(fields.uri, fields.target, fields.header, body, maxAgeSeconds, fields.floor,
                fields.verdict.withBody(body.unsafeArray()));
    }

    /** Takes what verified as {@code v} (refused otherwise): records the new high, learns a directory's keys. */
    private Representation accept(URI uri, String target, Function<String, String> header, Bytes body,
                                  long maxAgeSeconds, Instant floor, Verdict v) {
        refuseUnlessValid(uri, v, floor);
        if (header.apply("content-encoding") != null) {
            throw new ClientException.InvalidResponse(uri, "a content-coded response, which was not asked for");
        }
        List<HeaderField> fields = new ArrayList<>();
        for (String name : SignatureEvent.FIELDS) {
            String value = header.apply(name);
            if (value != null) {
                fields.add(new HeaderField(name, value));
            }
        }
        try {
            guard.accepted(target, v.created());
        } catch (UncheckedIOException e) {
            throw new ClientException.StateFailure(uri, e.getMessage(), e);
        }
        if (learns != null && target.equals(AnswerEngine.DIRECTORY)) {
            // only the newest directory teaches keys: an older one, current when a slow source
            // served it or checked on another thread at the same moment, would bring back a key a
            // newer one retired. The key set compares the created under its own lock (until the
            // newer one expires; the guard above has refused anything older than held by then).
            learns.learnFrom(body, v.created(), v.expires(), now());
        }
        if (kept != null && target.equals(AnswerEngine.DIRECTORY)) {
            kept.keep(fields, body, v.created());
        }
        OverlaySource overlay = held;
        if (overlay != null) {
            try {
                // the origin's signatures alone: one added on the way would keep the overlay from seeding it
                overlay.held(new SignedBundle(fields, body).signedOver(new SignatureWindow(v.created(), v.expires())));
            } catch (RuntimeException e) {
                // a plug-in's failure: the document verified and is taken; the overlay just has it not
            }
        }
        return new Representation(new Variant(body, null, fields), null, maxAgeSeconds, v.created(), v.expires());
    }

    /**
     * Checks the signed fields of an update as {@link #check} would, all but its body (the
     * digest): for an update stream, before a body is rebuilt from a merge patch. Records nothing.
     * What passes is checked with its body by {@link #check(Admitted, Bytes, long)}, its signature
     * not again.
     *
     * @throws ClientException.Rollback        for a version older than {@code floor}
     * @throws ClientException.OutsideValidity for one not valid at the clock
     * @throws ClientException.InvalidResponse for anything else the verifier refuses
     */
    Admitted checkFields(URI uri, String target, Function<String, String> header, Instant floor) {
        FieldsVerdict v = FieldsVerdict.of(verifier, header, new Expectation(target, floor));
        refuseUnlessValid(uri, v.verdict(), floor);
        if (header.apply("content-encoding") != null) {
            throw new ClientException.InvalidResponse(uri, "a content-coded response, which was not asked for");
        }
        return new Admitted(uri, target, header, floor, v);
    }

    /**
     * An update's signed fields that {@link #checkFields} passed, with what they were checked for
     * (where they came from, the target, the floor), waiting for the body rebuilt from them. Only
     * {@link #checkFields} makes one, so a body is checked against the very fields whose signature
     * was checked. Immutable.
     */
    static final class Admitted {
        private final URI uri;
        private final String target;
        private final Function<String, String> header;
        private final Instant floor;
        private final FieldsVerdict verdict;

        private Admitted(URI uri, String target, Function<String, String> header, Instant floor,
                         FieldsVerdict verdict) {
            this.uri = uri;
            this.target = target;
            this.header = header;
            this.floor = floor;
            this.verdict = verdict;
        }

        /** The target the fields were checked for. */
        String target() {
            return target;
        }
    }

    /** The time expiry is judged by. */
    Instant now() {
        return verifier.clock().instant();
    }

    private void refuseUnlessValid(URI uri, Verdict v, Instant floor) {
        if (v.outcome() == Verdict.Outcome.ROLLBACK) {
            throw new ClientException.Rollback(uri, floor, v.created());
        }
        if (v.outcome() == Verdict.Outcome.EXPIRED || v.outcome() == Verdict.Outcome.NOT_YET_VALID) {
            // every other check passed before these (ResponseVerifier's order): a time problem, not tampering
            throw new ClientException.OutsideValidity(uri, v, verifier.clock().instant());
        }
        if (!v.valid()) {
            throw new ClientException.InvalidResponse(uri, v);
        }
    }

    /** The newest {@code created} held for {@code target}, or null. */
    Instant held(String target) {
        return guard.held(target);
    }

    /** The newest {@code created} held for each of {@code targets} that has one. */
    Map<String, Instant> held(Collection<String> targets) {
        Map<String, Instant> out = new HashMap<>();
        for (String t : targets) {
            Instant created = guard.held(t);
            if (created != null) {
                out.put(t, created);
            }
        }
        return out;
    }
}
