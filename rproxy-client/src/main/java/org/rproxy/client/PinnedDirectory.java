package org.rproxy.client;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Directory;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's directory as a client takes it at bootstrap: read, its key with the pinned id found,
 * and its signature checked against that key alone. The pinned keys are the trust anchors; the
 * directory they vouch for adds the keys it lists ({@link #trusted}).
 *
 * @param directory the directory read
 * @param trusted   the pinned keys, to which a directory they vouch for adds its own
 * @param signed    the directory's verified representation
 */
record PinnedDirectory(Directory directory, TrustedKeys trusted, Representation signed) {
    private static final Logger LOG = LoggerFactory.getLogger(PinnedDirectory.class);

    /**
     * Asks the origin for its directory and checks it against the pin; when the origin gives none
     * (unreachable, timed out, an error status, an answer that is no directory or does not verify)
     * and {@code kept} holds the directory verified last, checks that one instead, the same way, so
     * that a client restarted while the origin is away still finds the RProxies and the overlay.
     *
     * @param kept the directory kept beside the state file, or null
     * @throws ClientException.InvalidResponse when it is not a directory, lists no pinned key or is
     *                                         not signed by one
     * @throws ClientException                 when the origin cannot be asked, or the directory is
     *                                         signed by the pinned key but not valid at this client's
     *                                         clock ({@link ClientException.ClockSkew}); with a kept
     *                                         directory that is refused too, a
     *                                         {@link ClientException.NoSourceLeft} naming both
     */
    static PinnedDirectory fetch(ClientOptions options, RollbackGuard guard, Fetcher fetcher, KeptDirectory kept) {
        URI uri = Sources.at(options.origin(), AnswerEngine.DIRECTORY);
        try {
            HttpResponse<byte[]> r = fetcher.get(uri);
            return check(options, guard, kept, uri, name -> Fetcher.header(r, name), r.body());
        } catch (ClientException.Interrupted | ClientException.StateFailure e) {
            throw e; // the caller's doing, or this client's own disk: no copy would fare better
        } catch (ClientException e) {
            Optional<SignedBundle> copy;
            try {
                copy = kept == null ? Optional.empty() : kept.read();
            } catch (ClientException.InvalidResponse unreadable) {
                throw FailedAttempts.end(uri, List.of(oneAttempt(e), unreadable));
            }
            if (copy.isEmpty()) {
                throw e;
            }
            try {
                PinnedDirectory p = check(options, guard, kept, kept.uri(), copy.get()::field, copy.get().body().unsafeArray());
                kept.read(p.signed().created());
                LOG.warn("bootstrapped from the directory kept in {} (signed {}, valid until {}): the origin gave none: {}",
                        kept.uri(), p.signed().created(), p.signed().expires(), e.getMessage());
                return p;
            } catch (ClientException keptFailure) {
                throw FailedAttempts.end(uri, List.of(oneAttempt(e), oneAttempt(keptFailure)));
            }
        }
    }

    /** A failure as one attempt among others (the clock skew one copy ended in is that copy's refusal). */
    private static ClientException oneAttempt(ClientException e) {
        return e instanceof ClientException.NoSourceLeft n && n.attempts().size() == 1 ? n.attempts().get(0) : e;
    }

    private static PinnedDirectory check(ClientOptions options, RollbackGuard guard, KeptDirectory kept, URI uri,
                                         Function<String, String> header, byte[] body) {
        Directory dir;
        try {
            dir = AltoJson.readDirectory(AltoJson.parse(body));
        } catch (AltoException e) {
            throw new ClientException.InvalidResponse(uri, "not a directory: " + e.error().message()
                    + (e.error().field() == null ? "" : " (field " + e.error().field() + ")"));
        }
        List<VerificationKey> pinned = options.pin().resolve(dir);
        if (pinned.isEmpty()) {
            throw new ClientException.InvalidResponse(uri, "the directory lists no key with the pinned key id "
                    + String.join(" or ", options.pin().keyIds()));
        }
        TrustedKeys trusted = new TrustedKeys(pinned);
        try {
            Representation signed = new Checker(new ResponseVerifier(pinned, options.clock()), guard, trusted, kept)
                    .check(uri, AnswerEngine.DIRECTORY, header, Bytes.wrap(body), 0);
            return new PinnedDirectory(dir, trusted, signed);
        } catch (ClientException.InvalidResponse e) {
            throw new ClientException.InvalidResponse(uri, "not signed by the pinned key "
                    + String.join(" or ", options.pin().keyIds()) + ": " + e.reason());
        } catch (ClientException.OutsideValidity e) {
            // signed by the pinned key, by the origin itself, yet not valid now: this client's clock
            throw FailedAttempts.end(uri, List.of(e));
        }
    }
}
