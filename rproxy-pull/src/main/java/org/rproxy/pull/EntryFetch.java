package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.upstream.Upstream;
import org.rproxy.core.upstream.UpstreamException;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt to obtain or renew an entry from upstream. A GET asks for the gzip variant first
 * ({@code Accept-Encoding: gzip}): when the answer is identity, the resource has no gzip variant
 * and one request was enough; when it is gzip, the identity variant is asked for next, because
 * each variant carries its own digest and signature and neither can be made from the other. A
 * gzip answer older than the identity variant held (a cache in between holding the variants from
 * different signings), or one whose signature has expired (an upstream pairing a fresh identity
 * signature with an older gzip signing), is no usable gzip variant: the identity variant is asked
 * for, and held alone when it verifies. The two variants held are always of one signing
 * ({@link #withIdentity}).
 * Revalidation sends each variant's entity tag in {@code If-None-Match}. A POST is forwarded in
 * the form it is keyed on ({@link UpstreamCall}), asking for identity; its body is weighed from the start of the exchange until the answer
 * comes ({@link WorkPool#holdBody}: waiting for a connection included), and one past the budget
 * fails the attempt at once with {@code 503}. Every answer goes through {@link Admission} on the
 * worker executor, weighed in bytes from its arrival until then ({@link WorkPool#verify}); one
 * refused only for its unknown key, again once the directory has been asked for ({@link KeyChase}).
 *
 * <p>Called from any thread; never blocks. Thread-safe and stateless between attempts.
 */
final class EntryFetch {
    private static final Logger LOG = LoggerFactory.getLogger(EntryFetch.class);
    private final Upstream upstream;
    private final Admission admission;
    private final UpstreamErrors errors = new UpstreamErrors();
    private final Rejections rejections;
    private final PullMetrics metrics;
    private final Verifications work;
    private final String viaEntry;
    private final String userAgent;
    /** Asks for the directory again after an unknown key; null until {@link #chaseUnknownKeys}. */
    private volatile KeyChase keyChase;

    /** One exchange's outcome: a variant that may be held, or a final result. */
    private sealed interface Step {
    }

    /** @param upstream the upstream that sent it, as {@link UpstreamResponse#upstream} names it */
    private record Got(CachedVariant variant, String upstream) implements Step {
    }

    private record Stop(FetchResult result) implements Step { }

    /** The gzip answer cannot be used beside the identity variant ({@link Admission.Outdated}). */
    private record NoGzip() implements Step { }

    /**
     * Refused only for its unknown key, judged with the keys {@code trusted} then: to be verified
     * again ({@code again}) once the directory has been asked for ({@link KeyChase}).
     */
    private record UnknownKey(Admission.Refused refused, String upstream, Set<String> trusted, long bytes,
                              Supplier<Step> again) implements Step {
    }

    /**
     * Verifies on {@code work}'s threads, within its bounds: in tasks waiting, and in bytes of
     * answers and of the query bodies sent upstream.
     */
    EntryFetch(Upstream upstream, Admission admission, Rejections rejections, PullMetrics metrics, WorkPool work,
               String viaEntry) {
        this(upstream, admission, rejections, metrics, Verifications.weighed(work), viaEntry);
    }

    /** Verifies on {@code work}, answers unweighed (tests). */
    EntryFetch(Upstream upstream, Admission admission, Rejections rejections, PullMetrics metrics, Executor work,
               String viaEntry) {
        this(upstream, admission, rejections, metrics, Verifications.unweighed(work), viaEntry);
    }

    private EntryFetch(Upstream upstream, Admission admission, Rejections rejections, PullMetrics metrics,
                       Verifications work, String viaEntry) {
        this.upstream = requireNonNull(upstream, "upstream");
        this.admission = requireNonNull(admission, "admission");
        this.rejections = requireNonNull(rejections, "rejections");
        this.metrics = requireNonNull(metrics, "metrics");
        this.work = work;
        this.viaEntry = requireNonNull(viaEntry, "viaEntry");
        this.userAgent = "rproxy (" + viaEntry.substring(viaEntry.indexOf(' ') + 1) + ")";
    }

    /** From now on, an answer refused only for its unknown key is verified again after {@code chase}. */
    void chaseUnknownKeys(KeyChase chase) {
        keyChase = requireNonNull(chase, "chase");
    }

    /** The resource verified again: its next refusal is logged afresh. */
    void accepted(CacheKey key) {
        rejections.accepted(key);
    }

    /**
     * One attempt for {@code key}; {@code held} is the copy held, or null, and {@code floor} (when
     * nothing is held) the newest signing verified before, which an answer must not be older than.
     */
    CompletableFuture<FetchResult> run(CacheKey key, UpstreamCall call, CachedCopy held, Instant floor) {
        if (!key.isGet()) {
            return exchange(key, call, false, null, held, null).thenApply(s -> s instanceof Got g
                    ? new FetchResult.Stored(CachedCopy.of(g.variant(), null)) : ((Stop) s).result());
        }
        CachedVariant oldGzip = held == null ? null : held.gzip();
        CachedVariant oldIdentity = held == null ? null : held.identity();
        String tagA = oldGzip != null ? oldGzip.etag() : oldIdentity != null ? oldIdentity.etag() : null;
        return exchange(key, call, true, tagA, held, floor).thenCompose(a -> {
            if (a instanceof Stop stop) {
                return CompletableFuture.completedFuture(stop.result());
            }
            String tagB = oldIdentity != null ? oldIdentity.etag() : null;
            if (a instanceof NoGzip) {
                return exchange(key, call, false, tagB, held, floor).thenApply(b -> identityAlone(key, b, held));
            }
            CachedVariant first = ((Got) a).variant();
            if (!first.gzip()) {
                return CompletableFuture.completedFuture(new FetchResult.Stored(CachedCopy.of(first, null)));
            }
            return exchange(key, call, false, tagB, held, floor).thenApply(b -> withIdentity(key, first, b, held));
        });
    }

    /** The identity answer, held without a gzip variant. */
    private FetchResult identityAlone(CacheKey key, Step b, CachedCopy held) {
        if (b instanceof Got g) {
            return g.variant().gzip() ? mismatch(key, g, Rejections.Mismatch.GZIP_FOR_IDENTITY, held)
                    : new FetchResult.Stored(CachedCopy.of(g.variant(), null));
        }
        return ((Stop) b).result();
    }

    /** An answer that verified but cannot be held beside what was asked ({@code what}): logged, and refused (502). */
    private FetchResult mismatch(CacheKey key, Got g, Rejections.Mismatch what, CachedCopy held) {
        rejections.mismatched(key, g.upstream(), what, held != null);
        return new FetchResult.Failed(502, what.reason(), true);
    }

    /**
     * Combines the gzip variant with the identity answer, or with the held identity if still valid,
     * only when both are of one signing: a client must never get one version plain and another
     * gzip. An identity answer of another signing (the upstream published between the two
     * requests, or a cache in between holds the variants apart) is held with the gzip variant held
     * when that one is of its signing, else alone (the gzip variant is asked for again at the next
     * revalidation). With no identity answer (it failed) and a held identity of another signing
     * than the new gzip variant, the attempt fails like the identity request did: the held copy
     * stays whole; with one of its signing, the new gzip variant is held beside it, and the
     * attempt still counts as failed ({@link FetchResult.Stored#failed}).
     */
    private FetchResult withIdentity(CacheKey key, CachedVariant gzip, Step b, CachedCopy held) {
        if (b instanceof Got g) {
            CachedVariant identity = g.variant();
            if (identity.gzip() || identity.signed() != gzip.signed()) {
                return mismatch(key, g, Rejections.Mismatch.VARIANTS_APART, held);
            }
            if (oneSigning(identity, gzip)) {
                return new FetchResult.Stored(CachedCopy.of(identity, gzip));
            }
            CachedVariant heldGzip = held == null ? null : held.gzip();
            return new FetchResult.Stored(CachedCopy.of(identity,
                    heldGzip != null && oneSigning(identity, heldGzip) ? heldGzip : null));
        }
        if (held != null && held.usableAt(gzip.fetchedAt()) && held.signed() == gzip.signed()
                && oneSigning(held.identity(), gzip)) {
            // the identity variant was not renewed: a failure for when the upstream is asked again
            return new FetchResult.Stored(CachedCopy.of(held.identity(), gzip),
                    ((Stop) b).result() instanceof FetchResult.Failed f ? f : null);
        }
        return ((Stop) b).result();
    }

    /** True when two variants may be served together: of one signing ({@code created}), or unsigned. */
    private static boolean oneSigning(CachedVariant identity, CachedVariant gzip) {
        return !identity.signed() || identity.created().equals(gzip.created());
    }

    private CompletableFuture<Step> exchange(CacheKey key, UpstreamCall call, boolean gzip, String ifNoneMatch,
                                             CachedCopy held, Instant floor) {
        UpstreamRequest request = call.request(key, gzip, ifNoneMatch, userAgent, viaEntry);
        long body = request.body().length();
        long heldAlready = work.holdBody(body);
        if (heldAlready >= 0) {
            // this proxy's overload, like every connection to the upstream busy: 503, Retry-After
            return CompletableFuture.completedFuture(new Stop(new FetchResult.Failed(503, "too many query bodies wait for "
                    + "the upstream here: " + heldAlready + " bytes of upstream answers and query bodies wait, and this "
                    + "one's " + body + " would pass upstream.max-unverified-bytes", false)));
        }
        long start = System.nanoTime();
        CompletableFuture<UpstreamResponse> sent;
        try {
            sent = upstream.send(request);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // Completed on the worker thread that verified the answer, so that what the caller makes of
        // it (holding it, telling listeners) never runs on the upstream's event loop; only an answer
        // refused by the work pool's bounds completes it there, at once.
        CompletableFuture<Step> step = new CompletableFuture<>();
        // The answer is weighed from here, where its body has been received, until it is verified.
        sent.whenComplete((response, failure) -> {
            long took = System.nanoTime() - start;
            work.giveBack(body); // answered, or failed: the answer is weighed from here instead
            try {
                work.verify(response == null ? 0 : response.body().length(), () -> {
                    metrics.upstreamRequest(response == null ? 0 : response.status(), took);
                    if (failure != null) {
                        LOG.debug("upstream exchange for {} failed", key, failure);
                        return new Stop(failed(failure));
                    }
                    return admit(key, response, held, floor, gzip, ifNoneMatch, Duration.ofNanos(took), true);
                }, step);
            } catch (RuntimeException e) {
                step.completeExceptionally(e);
            }
        });
        return step.thenCompose(s -> s instanceof UnknownKey u
                ? keyChase.verifyAgain(!admission.trustedKeyIds().equals(u.trusted()), u.bytes(), work, u.again(),
                        () -> refuse(key, u.upstream(), u.refused(), held))
                : CompletableFuture.completedFuture(s));
    }

    /** What {@code response} makes; {@code mayChase}: one refused only for its unknown key may be verified again. */
    private Step admit(CacheKey key, UpstreamResponse response, CachedCopy held, Instant floor, boolean askedGzip,
                       String ifNoneMatch, Duration delay, boolean mayChase) {
        Set<String> trusted = admission.trustedKeyIds(); // before it is judged: a learning meanwhile is seen
        int status = response.status();
        Admission.Result result;
        if (status == 200) {
            result = admission.full(key, response, held, floor, delay);
        } else if (status == 304 && key.isGet()) {
            result = admission.notModified(key, response, held, ifNoneMatch, delay);
        } else if (status >= 400 && status <= 499) {
            return new Stop(new FetchResult.Answer(errors.of(response), status == 405 ? response.header("allow") : null,
                    response.upstream()));
        } else {
            return new Stop(new FetchResult.Failed(504, "upstream " + response.upstream() + " answered " + status, false,
                    status));
        }
        if (result instanceof Admission.Outdated outdated) {
            if (askedGzip) {
                if (outdated.outcome() == Outcome.EXPIRED) {
                    rejections.gzipRefused(key, response.upstream(), outdated.outcome(), outdated.reason());
                }
                return new NoGzip();
            }
            result = new Admission.Refused(outdated.outcome(), outdated.reason());
        }
        if (result instanceof Admission.Refused refused) {
            if (mayChase && refused.outcome() == Outcome.UNKNOWN_KEY && keyChase != null
                    && !key.equals(KeyChase.DIRECTORY)) {
                return new UnknownKey(refused, response.upstream(), trusted, response.body().length(),
                        () -> admit(key, response, held, floor, askedGzip, ifNoneMatch, delay, false));
            }
            return refuse(key, response.upstream(), refused, held);
        }
        return new Got(((Admission.Admitted) result).variant(), response.upstream());
    }

    /** {@code refused}, from {@code upstream}: logged, counted, and a 502 for those waiting. */
    private Stop refuse(CacheKey key, String upstream, Admission.Refused refused, CachedCopy held) {
        rejections.refused(key, upstream, refused.outcome(), refused.reason(), held != null);
        return new Stop(new FetchResult.Failed(502, "upstream answer refused: " + refused.outcome() + ": "
                + refused.reason(), true));
    }

    /**
     * What a client is told when no usable answer came: 504 when the upstream timed out or could
     * not be reached (it, not this proxy, is at fault), 502 when it answered what cannot be used
     * (malformed, over {@code max-body}: it is up, and this document fails on its own), 503 when
     * every connection to it stayed busy (this proxy's own overload: it carries
     * {@code Retry-After}, since a retry soon may find one free).
     */
    private static FetchResult.Failed failed(Throwable t) {
        Throwable c = Completions.cause(t);
        String message = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        UpstreamException.Kind kind = c instanceof UpstreamException u ? u.kind() : UpstreamException.Kind.FAILED;
        return switch (kind) {
            case TIMED_OUT -> new FetchResult.Failed(504, "upstream timed out: " + message, false);
            case UNREACHABLE -> new FetchResult.Failed(504, "upstream unreachable: " + message, false);
            case BUSY -> new FetchResult.Failed(503, "upstream connections all busy: " + message, false);
            case FAILED -> new FetchResult.Failed(504, "upstream failed: " + message, false);
            case UNUSABLE -> FetchResult.Failed.unusable("upstream answer unusable: " + message);
            case STOPPED -> FetchResult.Failed.STOPPING;
        };
    }
}
