package org.rproxy.client;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.answer.ResourcePaths;
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
     * (unreachable, timed out, an error status, an answer that is no directory or does not verify),
     * checks instead the directory verified last, kept beside the state file, and then those the
     * overlay finds with its own settings ({@link OverlaySource#directoryOffers}), the same way
     * each, taking the first that verifies: a client restarted while the origin is away, or a
     * brand-new peer of a flash crowd whose origin is overloaded, still finds the RProxies and
     * the overlay. Whatever verifies is kept for the next bootstrap and told to the overlay
     * ({@link OverlaySource#held}), which may seed it.
     *
     * @param kept    the directory kept beside the state file, or null
     * @param overlay the overlay to ask last, and to tell of the directory taken, or null
     * @throws ClientException.InvalidResponse when it is not a directory, lists no pinned key or is
     *                                         not signed by one
     * @throws ClientException                 when the origin cannot be asked, or the directory is
     *                                         signed by the pinned key but not valid at this client's
     *                                         clock ({@link ClientException.ClockSkew}); when a kept
     *                                         directory or the overlay's are refused too, a
     *                                         {@link ClientException.NoSourceLeft} naming each
     */
    static PinnedDirectory fetch(ClientOptions options, RollbackGuard guard, Fetcher fetcher, KeptDirectory kept,
                                 OverlaySource overlay) {
        URI uri = Sources.at(options.origin(), AnswerEngine.DIRECTORY);
        ClientException fromOrigin;
        try {
            HttpResponse<byte[]> r = fetcher.get(uri);
            return check(options, guard, kept, overlay, uri, name -> Fetcher.header(r, name), r.body());
        } catch (ClientException.Interrupted | ClientException.StateFailure e) {
            throw e; // the caller's doing, or this client's own disk: no copy would fare better
        } catch (ClientException e) {
            fromOrigin = e;
        }
        List<ClientException> attempts = new ArrayList<>(List.of(oneAttempt(fromOrigin)));
        PinnedDirectory p = fromKept(options, guard, kept, overlay, fromOrigin, attempts);
        if (p == null) {
            p = fromOverlay(options, guard, kept, overlay, fromOrigin, attempts);
        }
        if (p != null) {
            return p;
        }
        throw attempts.size() == 1 ? fromOrigin : FailedAttempts.end(uri, attempts);
    }

    /** The kept directory if it verifies, else null with why added to {@code attempts}. */
    private static PinnedDirectory fromKept(ClientOptions options, RollbackGuard guard, KeptDirectory kept,
                                            OverlaySource overlay, ClientException fromOrigin,
                                            List<ClientException> attempts) {
        Optional<SignedBundle> copy;
        try {
            copy = kept == null ? Optional.empty() : kept.read();
        } catch (ClientException.InvalidResponse unreadable) {
            attempts.add(unreadable);
            return null;
        }
        if (copy.isEmpty()) {
            return null;
        }
        try {
            PinnedDirectory p = check(options, guard, kept, overlay, kept.uri(), copy.get()::field,
                    copy.get().body().unsafeArray());
            kept.read(p.signed().created());
            LOG.info("bootstrapped from the directory kept in {} (signed {}, valid until {}): the origin gave none: {}",
                    kept.uri(), p.signed().created(), p.signed().expires(), fromOrigin.getMessage());
            return p;
        } catch (ClientException.Interrupted | ClientException.StateFailure e) {
            throw e;
        } catch (ClientException keptFailure) {
            attempts.add(oneAttempt(keptFailure));
            return null;
        }
    }

    /**
     * The first directory the overlay offers that verifies (it is then told {@link OverlaySource#accepted}),
     * else null with each offer's refusal, or why it had none, added to {@code attempts}.
     */
    private static PinnedDirectory fromOverlay(ClientOptions options, RollbackGuard guard, KeptDirectory kept,
                                               OverlaySource overlay, ClientException fromOrigin,
                                               List<ClientException> attempts) {
        if (overlay == null) {
            return null;
        }
        Iterator<OverlaySource.Offer> offers;
        try {
            offers = overlay.directoryOffers();
        } catch (RuntimeException e) {
            attempts.add(Sources.overlayFailed(ResourcePaths.DIRECTORY_ID, e));
            return null;
        }
        while (true) {
            OverlaySource.Offer o;
            try {
                if (!offers.hasNext()) {
                    return null;
                }
                o = offers.next();
            } catch (RuntimeException e) {
                attempts.add(Sources.overlayFailed(ResourcePaths.DIRECTORY_ID, e)); // a plug-in's own failure
                return null;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new ClientException.Interrupted(o.from(), null);
            }
            if (o.bundle() == null) {
                attempts.add(new ClientException.Unreachable(o.from(), o.failure(), null));
                continue;
            }
            try {
                PinnedDirectory p = check(options, guard, kept, overlay, o.from(), o.bundle()::field,
                        o.bundle().body().unsafeArray());
                overlay.accepted(o);
                // the designed path of a new peer while the origin is away or overloaded: nothing
                // for the application to act on, so not a warning (a million viewers start so)
                LOG.info("bootstrapped from the directory found in the overlay at {} (signed {}, valid until {}): the"
                        + " origin gave none: {}", o.from(), p.signed().created(), p.signed().expires(),
                        fromOrigin.getMessage());
                return p;
            } catch (ClientException.Interrupted | ClientException.StateFailure e) {
                throw e;
            } catch (ClientException refused) {
                overlay.refused(o, ResourcePaths.DIRECTORY_ID, refused);
                attempts.add(oneAttempt(refused));
            }
        }
    }

    /** A failure as one attempt among others (the clock skew one copy ended in is that copy's refusal). */
    private static ClientException oneAttempt(ClientException e) {
        return e instanceof ClientException.NoSourceLeft n && n.attempts().size() == 1 ? n.attempts().get(0) : e;
    }

    private static PinnedDirectory check(ClientOptions options, RollbackGuard guard, KeptDirectory kept,
                                         OverlaySource overlay, URI uri, Function<String, String> header, byte[] body) {
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
                    .tellHeld(overlay).check(uri, AnswerEngine.DIRECTORY, header, Bytes.wrap(body), 0);
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
