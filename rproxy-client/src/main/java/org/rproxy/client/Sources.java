package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.core.answer.ResourcePaths;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.store.Representation;

/**
 * The sources of one client, the RProxies the origin lists and the origin itself, and the
 * fallback across them: each request goes to the sources in the policy's order and the origin
 * last, moving on after any failure (which the health record remembers) until one answer
 * verifies; a copy that verifies but is out of its validity at this client's clock is held
 * against its source only once another source's copy is valid (see {@link #fetch}). With an
 * {@link OverlaySource}, the overlay's offers come first (the PUSH scheme's step 2), and these
 * PULL steps only when none of them verifies. Runs on the caller's thread; thread-safe.
 */
final class Sources {
    private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d{1,18})");

    private final URI origin;
    private final List<URI> proxies;
    private final SourcePolicy policy;
    private final String client;
    private final SourceHealth health;
    private final Fetcher fetcher;
    private final Checker checker;
    private final Supplier<LocalAnswers> answers;
    private final LongSupplier ticker;
    private final Directory directory;
    private final OverlaySource overlay;

    Sources(URI origin, List<URI> proxies, ClientOptions options, SourceHealth health, Fetcher fetcher,
            Checker checker, Supplier<LocalAnswers> answers, LongSupplier ticker) {
        this(origin, proxies, options, health, fetcher, checker, answers, ticker, null, null);
    }

    /** @param overlay asked first for every document the directory names, or null */
    Sources(URI origin, List<URI> proxies, ClientOptions options, SourceHealth health, Fetcher fetcher,
            Checker checker, Supplier<LocalAnswers> answers, LongSupplier ticker, Directory directory,
            OverlaySource overlay) {
        this.directory = directory;
        this.overlay = overlay;
        this.origin = requireNonNull(origin, "origin");
        this.proxies = List.copyOf(proxies);
        this.policy = options.policy();
        this.client = options.clientAddress();
        this.health = requireNonNull(health, "health");
        health.list(this.proxies, origin);
        this.fetcher = requireNonNull(fetcher, "fetcher");
        this.checker = requireNonNull(checker, "checker");
        this.answers = requireNonNull(answers, "answers");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    List<URI> proxies() {
        return proxies;
    }

    URI origin() {
        return origin;
    }

    SourceHealth health() {
        return health;
    }

    /** The sources to try now, best first: the policy's proxies (only listed ones), then the origin. */
    List<URI> order() {
        List<URI> out = new ArrayList<>();
        LocalAnswers held = answers.get();
        LocalAnswers current = held != null && held.isCurrent() ? held : null; // expired maps rank nothing
        List<URI> chosen = policy.order(proxies, new SourcePolicy.Context(client, current, health));
        if (chosen == null) { // the application's policy: say whose, not a JDK message about an iterator
            throw new NullPointerException("the SourcePolicy " + policy + " gave null (expected: the proxies to try)");
        }
        for (URI p : chosen) {
            if (proxies.contains(p) && !out.contains(p)) {
                out.add(p);
            }
        }
        out.add(origin);
        return out;
    }

    /** The RProxies {@code dir} lists, as URLs; {@code where} is the directory's, for the refusal of one that is none. */
    static List<URI> proxiesOf(Directory dir, URI where) {
        List<URI> out = new ArrayList<>();
        for (String p : dir.proxies()) {
            try {
                out.add(new URI(p));
            } catch (URISyntaxException e) {
                throw new ClientException.InvalidResponse(where, "meta.alto-redist.proxies: " + p + " is no URL");
            }
        }
        return out;
    }

    /**
     * GETs {@code target} from the first source that gives a valid answer. A source whose copy
     * verifies but is not valid at this client's clock ({@link ClientException.OutsideValidity})
     * is not blamed at once: it counts as a failure (not a cool-down) only when another source's
     * copy is valid, since then it is that source that is out of step, not the clock.
     *
     * @throws ClientException.ClockSkew    when every source that sent a document sent one valid
     *                                      only at another time: no source is blamed for that
     * @throws ClientException.NoSourceLeft with every attempt's reason when none did
     * @throws ClientException.Interrupted  at once when the calling thread is interrupted (before
     *                                      or while asking a source): no source is blamed or asked after
     * @throws IllegalStateException        once the client is closed
     */
    VerifiedDocument fetch(String target) {
        return fetch(target, Set.of(), false);
    }

    /**
     * As {@link #fetch(String)}, asking none of {@code skip}, nor the overlay when {@code skipOverlay}:
     * how a map whose copy proved behind the others is asked again elsewhere ({@link FittingMaps}).
     */
    VerifiedDocument fetch(String target, Set<URI> skip, boolean skipOverlay) {
        fetcher.requireOpen(at(origin, target)); // a closed client asks no source, the overlay included
        List<ClientException> refused = new ArrayList<>();
        VerifiedDocument fromOverlay = skipOverlay ? null : fromOverlay(target, refused, false);
        if (fromOverlay != null) {
            return fromOverlay;
        }
        // failures that are the source's only if another source then has a valid copy
        Map<URI, ClientException> ifAnotherHasIt = new LinkedHashMap<>();
        for (URI source : order()) {
            if (skip.contains(source)) {
                continue;
            }
            URI uri = at(source, target);
            if (Thread.currentThread().isInterrupted()) {
                throw new ClientException.Interrupted(uri, null); // the caller's, maybe while the overlay was asked
            }
            long start = ticker.getAsLong();
            try {
                VerifiedDocument d = new VerifiedDocument(target, uri, fetchFrom(uri, target), refused);
                health.succeeded(source, Duration.ofNanos(ticker.getAsLong() - start));
                // a copy valid at this clock of a target that exists: those whose copy was not valid are out
                // of step (stale), not the clock; those that said it does not exist are missing it
                ifAnotherHasIt.forEach(health::failed);
                return d;
            } catch (ClientException.StateFailure e) {
                throw e; // this client's own disk, not the source: no other source would fare better
            } catch (ClientException.Interrupted e) {
                throw e; // the caller's doing, not the source's: stop, and blame no one
            } catch (ClientException.OutsideValidity e) {
                ifAnotherHasIt.put(source, e); // this client's clock, or a stale source: a valid copy elsewhere tells
                refused.add(e);
            } catch (ClientException.Refused e) {
                if (e.status() == 404 || e.status() == 410) {
                    ifAnotherHasIt.put(source, e); // the application's wrong target, unless another source has it
                } else {
                    health.failed(source, e);
                }
                refused.add(e);
            } catch (ClientException e) {
                health.failed(source, e);
                refused.add(e);
            }
        }
        // no server answered: the version held may still be had from the overlay (a client restarted
        // while the origin and the proxies are away holds none in memory, only its state file's floor),
        // and the directory, which names no pointer of its own, from the one the overlay finds itself
        boolean ask = checker.held(target) != null || target.equals(ResourcePaths.DIRECTORY_PATH);
        VerifiedDocument held = skipOverlay || !ask ? null : fromOverlay(target, refused, true);
        if (held != null) {
            return held;
        }
        throw FailedAttempts.end(at(origin, target), refused);
    }

    /**
     * The first bundle the overlay offers for {@code target} that verifies and is newer than the
     * version held, or else the first that verifies at all, or null. A publisher's pointer may
     * claim a newer version than its bundle holds, so an offer of the version held does not end
     * the walk while others remain. Each offer refused, or that could not be had, is added to
     * {@code refused} with its reason. With {@code heldToo} the overlay is asked for the version held
     * as well (it transfers it), as when no server answered, and for the directory, which the directory
     * names no pointer of, for the one it finds with its own settings ({@link OverlaySource#directoryOffers}):
     * how a peer whose origin stays away learns the origin's next key.
     */
    private VerifiedDocument fromOverlay(String target, List<ClientException> refused, boolean heldToo) {
        String named = overlay == null ? null : resourceId(target);
        boolean own = overlay != null && named == null && heldToo && target.equals(ResourcePaths.DIRECTORY_PATH);
        String id = own ? ResourcePaths.DIRECTORY_ID : named;
        if (id == null) {
            return null;
        }
        Instant held = checker.held(target);
        VerifiedDocument same = null;
        Iterator<OverlaySource.Offer> offers;
        try {
            offers = own ? overlay.directoryOffers() : overlay.offers(directory, target, id, heldToo ? null : held);
        } catch (RuntimeException e) {
            refused.add(overlayFailed(id, e));
            return null;
        }
        while (true) {
            OverlaySource.Offer o;
            try {
                if (!offers.hasNext()) {
                    break;
                }
                o = offers.next();
            } catch (RuntimeException e) {
                // an overlay source is a plug-in, its peers anyone: a failure of its own is one
                // more refusal, and the proxies and the origin are asked as when it has nothing
                refused.add(overlayFailed(id, e));
                break;
            }
            if (o.bundle() == null) {
                refused.add(new ClientException.Unreachable(o.from(), o.failure(), null));
                continue;
            }
            try {
                Representation r = checker.check(o.from(), target, o.bundle()::field, o.bundle().body(), 0, held);
                overlay.accepted(o);
                VerifiedDocument d = new VerifiedDocument(target, o.from(), r, refused);
                if (held == null || r.created().isAfter(held)) {
                    return d;
                }
                same = same == null ? d : same;
            } catch (ClientException.StateFailure e) {
                throw e;
            } catch (ClientException e) {
                overlay.refused(o, id, e);
                refused.add(e);
            }
        }
        return same;
    }

    /** The overlay source's own failure for {@code resourceId} as one refusal, at {@code overlay:<resource id>}. */
    static ClientException overlayFailed(String resourceId, RuntimeException e) {
        URI at;
        try {
            at = new URI("overlay", resourceId, null);
        } catch (java.net.URISyntaxException bad) {
            at = URI.create("overlay:resource");
        }
        String m = e.getMessage(); // its words, not its class: the exception is the cause
        return new ClientException.Unreachable(at, "the overlay source failed" + (m == null || m.isBlank() ? "" : ": " + m), e);
    }

    /** The id the directory gives the document at {@code target}, or null. */
    private String resourceId(String target) {
        for (InformationResource r : directory.resources().values()) {
            if (r.accepts() == null && r.uri().equals(target)) {
                return r.id();
            }
        }
        return null;
    }

    private Representation fetchFrom(URI uri, String target) {
        Instant floor = checker.held(target); // before asking: see Checker#check
        HttpResponse<byte[]> r = fetcher.get(uri);
        Matcher m = MAX_AGE.matcher(r.headers().firstValue("cache-control").orElse(""));
        long maxAge = m.find() ? Long.parseLong(m.group(1)) : 0;
        return checker.check(uri, target, name -> Fetcher.header(r, name), Bytes.wrap(r.body()), maxAge, floor);
    }

    /** The listed source (a proxy or the origin) whose URL for {@code target} is {@code uri}, or null (the overlay's). */
    URI sourceOf(URI uri, String target) {
        for (URI s : proxies) {
            if (at(s, target).equals(uri)) {
                return s;
            }
        }
        return at(origin, target).equals(uri) ? origin : null;
    }

    /** {@code target} (an absolute path, with its query) on {@code source}'s scheme and authority. */
    static URI at(URI source, String target) {
        return URI.create(source.getScheme() + "://" + source.getRawAuthority() + target);
    }
}
