package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.RollbackRule;
import org.rproxy.core.sign.SignatureBase;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation.Revalidation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * Decides whether an upstream answer may be held: a {@code 200} must carry an
 * origin signature that verifies for the target asked, over the bytes as received, and must not
 * be older (by {@code created}) than the copy held; a {@code 304} is merged into the held
 * variant it names and the merged fields must verify over the held body (RFC 9111 §4.3.4), its
 * freshness the 304's, or the held variant's when the 304 carries no {@code Cache-Control}; a 304
 * repeating the very signing held (a revalidation within a signing period) is not verified again
 * while that signing is valid. A
 * gzip answer older than the identity variant held, with no gzip variant held, is
 * {@link Outdated}: no usable gzip variant, not a rollback (a gzip answer older than a held gzip
 * variant is one); so is a gzip answer whose signature has expired, since the identity variant
 * may still verify. An
 * unsigned answer is admitted only where it says it is a computed answer (GET with
 * {@code alto-derived-from}) or is a POST query answer, and never in place of a signed copy.
 *
 * <p>Runs on the feed's worker threads (it hashes bodies and checks signatures); immutable.
 */
final class Admission {

    /** The decision on one response. */
    sealed interface Result {
    }

    record Admitted(CachedVariant variant) implements Result {
    }

    record Refused(Outcome outcome, String reason) implements Result {
    }

    /**
     * A gzip answer that cannot be used, though the identity variant may be: valid but older than
     * the identity variant held while no gzip variant is ({@code ROLLBACK}: not a rollback, as no
     * newer gzip variant was held), or signed by a signing that has expired ({@code EXPIRED}). A
     * cache in between keeps the two variants apart and may hold them from different signings,
     * and an upstream may pair them so.
     *
     * @param outcome {@link Outcome#ROLLBACK} or {@link Outcome#EXPIRED}: what the gzip answer is
     *                refused as when it was not asked for as the gzip variant
     */
    record Outdated(Outcome outcome, String reason) implements Result {
    }

    private final ResponseVerifier verifier;
    private final String viaEntry;
    private final Clock clock;

    Admission(ResponseVerifier verifier, String viaEntry, Clock clock) {
        this.verifier = requireNonNull(verifier, "verifier");
        this.viaEntry = requireNonNull(viaEntry, "viaEntry");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The key ids the verifier trusts now (a snapshot): a directory learnt from changes them. */
    Set<String> trustedKeyIds() {
        return verifier.trustedKeyIds();
    }

    /**
     * A {@code 200} for {@code key}, received {@code delay} after it was asked for; {@code held}
     * is what the proxy has now, or null, and {@code floor} (when nothing is held) the newest
     * signing verified before ({@link RollbackFloors}), or null.
     */
    Result full(CacheKey key, UpstreamResponse r, CachedCopy held, Instant floor, Duration delay) {
        String encoding = r.header("content-encoding");
        boolean gzip = encoding != null && encoding.trim().toLowerCase(Locale.ROOT).equals("gzip");
        if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
            return new Refused(Outcome.MALFORMED, "unsupported content-encoding " + encoding);
        }
        Instant now = clock.instant();
        String cacheControl = r.header("cache-control");
        long maxAge = HeaderRules.sharedMaxAge(cacheControl);
        long age = HeaderRules.initialAge(r.header("age"), r.header("date"), now, delay);
        Variant variant = new Variant(r.body(), gzip ? "gzip" : null, HeaderRules.stored(r.headers(), viaEntry));
        if (r.header("signature") == null && r.header("signature-input") == null) {
            return unsigned(key, held, variant, now, maxAge, age, cacheControl);
        }
        CachedVariant previous = held == null ? null : gzip && held.gzip() != null ? held.gzip() : held.identity();
        // the copy held binds only while it is valid, as a floor does (RollbackRule)
        Instant notBefore = previous != null && previous.signed()
                ? RollbackRule.floor(previous.created(), previous.expires(), now) : held == null ? floor : null;
        String hop = HeaderRules.signedHopByHop(r.headers());
        if (hop != null) {
            // it cannot be passed on, so no client could verify the copy: an origin's mistake
            return new Refused(Outcome.MALFORMED, "the signature covers " + hop + ", a hop-by-hop field no proxy passes on");
        }
        long swr = HeaderRules.staleWhileRevalidate(cacheControl);
        long sie = HeaderRules.staleIfError(cacheControl);
        Revalidation revalidate = HeaderRules.revalidation(cacheControl);
        if (!gzip) {
            return identity(key, variant, notBefore, now, maxAge, age, swr, sie, revalidate);
        }
        Verdict v = verifier.verify(HeaderRules.lookup(variant.headers()), r.body().unsafeArray(),
                new Expectation(key.target(), notBefore));
        if (v.outcome() == Outcome.ROLLBACK && (held == null || held.gzip() == null)) {
            return new Outdated(Outcome.ROLLBACK, "gzip variant " + v.reason() + " identity variant");
        }
        return gzip(v, variant, now, maxAge, age, swr, sie, revalidate);
    }

    /**
     * A signed identity variant as it is to be held ({@code variant}: the fields stored, over which
     * every verifier after this proxy checks it), verified once for {@code key}'s target, and held
     * with the verified copy that verification made ({@link VerifiedRepresentation}), which the
     * proxy hands on (to its overlay publisher) instead of having it verified again.
     */
    private Result identity(CacheKey key, Variant variant, Instant notBefore, Instant now, long maxAge, long age,
                            long swr, long sie, Revalidation revalidate) {
        VerifiedRepresentation.Check c = VerifiedRepresentation.verify(verifier, key.target(), variant, () -> null,
                maxAge, notBefore, revalidate);
        if (c instanceof VerifiedRepresentation.Refused no) {
            return new Refused(no.outcome(), no.reason());
        }
        VerifiedRepresentation copy = ((VerifiedRepresentation.Verified) c).copy();
        return new Admitted(new CachedVariant(variant, true, copy.representation().created(),
                copy.representation().expires(), now, maxAge, age, swr, sie, revalidate, copy));
    }

    /**
     * A gzip variant as its verdict leaves it (a fetched one's and a revalidated one's alike):
     * held when valid, outdated when it expired, refused otherwise.
     */
    private static Result gzip(Verdict v, Variant variant, Instant now, long maxAge, long age, long swr, long sie,
                               Revalidation revalidate) {
        if (v.outcome() == Outcome.EXPIRED) {
            return new Outdated(Outcome.EXPIRED, "gzip variant " + v.reason());
        }
        if (!v.valid()) {
            return new Refused(v.outcome(), v.reason());
        }
        return new Admitted(new CachedVariant(variant, true, v.created(), v.expires(), now, maxAge, age, swr, sie,
                revalidate));
    }

    /** A {@code 304} for {@code key}, asked with {@code askedEtag}, received {@code delay} after. */
    Result notModified(CacheKey key, UpstreamResponse r, CachedCopy held, String askedEtag, Duration delay) {
        String etag = r.header("etag") != null ? r.header("etag") : askedEtag;
        CachedVariant previous = held == null ? null : held.byEtag(etag);
        if (previous == null) {
            return new Refused(Outcome.MALFORMED, "304 Not Modified for entity tag " + etag + ", which is not held");
        }
        Instant now = clock.instant();
        String cacheControl = r.header("cache-control");
        // A 304 without Cache-Control leaves the stored one in force (RFC 9111 §4.3.4), which the
        // stored fields do not keep (HeaderRules): its directives are the held variant's.
        long maxAge = cacheControl == null ? previous.maxAgeSeconds() : HeaderRules.sharedMaxAge(cacheControl);
        long swr = cacheControl == null ? previous.staleWhileRevalidateSeconds()
                : HeaderRules.staleWhileRevalidate(cacheControl);
        long sie = cacheControl == null ? previous.staleIfErrorSeconds() : HeaderRules.staleIfError(cacheControl);
        Revalidation revalidate = cacheControl == null ? previous.revalidation() : HeaderRules.revalidation(cacheControl);
        long age = HeaderRules.initialAge(r.header("age"), r.header("date"), now, delay);
        List<HeaderField> merged = HeaderRules.freshened(previous.variant().headers(), r.headers());
        Variant variant = new Variant(previous.variant().body(), previous.variant().contentEncoding(), merged);
        if (!previous.signed()) {
            return new Admitted(new CachedVariant(variant, false, now, now.plusSeconds(Math.max(0, maxAge - age)), now,
                    maxAge, age, swr, sie, revalidate));
        }
        if (now.isBefore(previous.expires()) && sameSigning(previous.variant().headers(), merged)) {
            // the signing held, confirmed over the body held: verified when it came, nothing it
            // covers has changed, and it is still valid, so it is not verified again
            return new Admitted(new CachedVariant(variant, true, previous.created(), previous.expires(), now, maxAge,
                    age, swr, sie, revalidate, previous.verified()));
        }
        if (!previous.gzip()) {
            return identity(key, variant, previous.created(), now, maxAge, age, swr, sie, revalidate);
        }
        Verdict v = verifier.verify(HeaderRules.lookup(merged), previous.variant().body().unsafeArray(),
                new Expectation(key.target(), previous.created()));
        return gzip(v, variant, now, maxAge, age, swr, sie, revalidate);
    }

    /**
     * True when {@code merged} carries the very signing {@code held} was verified with: the same
     * {@code Signature} bytes (a verdict is not inherited by another signature over the same base,
     * ARCHITECTURE.md §4) over the same signature base, so every component it covers is unchanged.
     */
    private static boolean sameSigning(List<HeaderField> held, List<HeaderField> merged) {
        Function<String, String> before = HeaderRules.lookup(held);
        Function<String, String> after = HeaderRules.lookup(merged);
        String signature = before.apply(SignatureHeaders.SIGNATURE);
        List<SignatureBase> bases = ResponseVerifier.signedBases(before);
        return signature != null && signature.equals(after.apply(SignatureHeaders.SIGNATURE)) && !bases.isEmpty()
                && bases.equals(ResponseVerifier.signedBases(after));
    }

    private static Result unsigned(CacheKey key, CachedCopy held, Variant variant, Instant now, long maxAge, long age,
                                   String cacheControl) {
        if (held != null && held.signed()) {
            return new Refused(Outcome.NO_SIGNATURE, "an unsigned answer where a signed copy is held");
        }
        if (key.isGet() && !AnswerEngine.isQueryTarget(key.target())) {
            // a document: an unsigned one from an untrusted upstream would be held and served for
            // as long as that upstream's max-age says (the directory included, which keys come from)
            return new Refused(Outcome.NO_SIGNATURE, "no signature on a document (only answers to queries come unsigned)");
        }
        if (key.isGet() && variant.header("alto-derived-from").isEmpty()) {
            return new Refused(Outcome.NO_SIGNATURE, "no signature, and not marked as a computed answer");
        }
        Instant expires = now.plusSeconds(Math.max(0, maxAge - age));
        // Served here only while fresh: its stale use in an outage rests on its sources
        // (DerivedFrom). The stale windows it came with are kept for what goes out (CachedCopy).
        return new Admitted(new CachedVariant(variant, false, now, expires, now, maxAge, age,
                HeaderRules.staleWhileRevalidate(cacheControl), HeaderRules.staleIfError(cacheControl),
                HeaderRules.revalidation(cacheControl)));
    }
}
