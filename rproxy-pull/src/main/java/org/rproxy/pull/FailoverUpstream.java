package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.Upstream;
import org.rproxy.core.upstream.UpstreamException;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several upstreams in order of preference, used as one: each request goes to the first
 * upstream that is up, and when that one cannot be reached (or answers 502 or 504, a proxy
 * whose own upstream is gone) to the next, so a dead upstream costs a client nothing while a
 * sibling is healthy. An upstream is marked down by such a failure and up by a health check: its
 * directory fetched and <b>verified</b> like any document, so an upstream that serves what does
 * not verify is never preferred. Once a preferred upstream passes its check again, requests go
 * back to it. Whatever an upstream answers is verified by the feed as before: the choice of
 * upstream never decides what is served.
 *
 * <p>An answer that cannot be used (a body over {@code max-body}, not HTTP) is asked of the next
 * upstream too, as a 502 is, but is that document's failure: the upstream is marked down for such
 * answers only when they come for two documents with nothing usable between, and no other upstream
 * answered the second so ({@link UnusableAnswers}).
 * Before, one oversized document at the preferred upstream moved every request to the fallback.
 *
 * <p>When every upstream up has failed a request, those down are tried too, in order (a check
 * may be behind); so with every upstream down, each is still tried. Neither a request nor a check
 * that finds every connection busy, or that this proxy's stop cut, marks an upstream down. Thread-safe:
 * {@link #send} may be called from any thread and never blocks; {@link #check} runs on the
 * refresher's thread, and the verification of its answers on the work pool.
 */
final class FailoverUpstream implements Upstream {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverUpstream.class);
    private static final String DIRECTORY = "/directory";

    private final List<URI> urls;
    private final List<? extends Upstream> upstreams;
    private final ResponseVerifier verifier;
    private final Executor work;
    /** 1 where the upstream of that index is taken for up. */
    private final AtomicIntegerArray up;
    private final UnusableAnswers unusable;
    private volatile int preferred;

    FailoverUpstream(List<URI> urls, List<? extends Upstream> upstreams, ResponseVerifier verifier, Executor work) {
        this.urls = List.copyOf(urls);
        this.upstreams = List.copyOf(upstreams);
        if (this.urls.size() != this.upstreams.size() || this.urls.isEmpty()) {
            throw new IllegalArgumentException("upstreams: " + upstreams.size() + " for " + urls.size() + " URLs");
        }
        this.verifier = requireNonNull(verifier, "verifier");
        this.work = requireNonNull(work, "work");
        this.up = new AtomicIntegerArray(this.urls.size());
        this.unusable = new UnusableAnswers(this.urls.size());
        for (int i = 0; i < this.urls.size(); i++) {
            up.set(i, 1);
        }
    }

    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
        requireNonNull(request, "request");
        return attempt(request, order(), 0, unusable.round());
    }

    /** The upstreams to try now: those up, in order, then as a last resort those down, in order. */
    private List<Integer> order() {
        List<Integer> out = new ArrayList<>(urls.size());
        for (int state = 1; state >= 0; state--) {
            for (int i = 0; i < urls.size(); i++) {
                if (up.get(i) == state) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    private CompletableFuture<UpstreamResponse> attempt(UpstreamRequest request, List<Integer> order, int n,
            UnusableAnswers.Round round) {
        int i = order.get(n);
        boolean last = n + 1 == order.size();
        return upstreams.get(i).send(request).handle((response, failure) -> {
            if (failure == null) {
                unusable.answered(i, request);
                if (last || response.status() != 502 && response.status() != 504) {
                    judged(round);
                    return CompletableFuture.completedFuture(response);
                }
            } else {
                Throwable cause = Completions.cause(failure);
                judge(i, request, cause, round);
                if (last) {
                    judged(round);
                    return CompletableFuture.<UpstreamResponse>failedFuture(cause);
                }
            }
            return attempt(request, order, n + 1, round);
        }).thenCompose(f -> f);
    }

    /**
     * Marks upstream {@code i} down for the failure {@code cause} of {@code request}, unless it
     * says nothing of the upstream ({@link #notItsFault}) or is an answer that cannot be used for
     * one document ({@link UnusableAnswers}): the upstream answered, and the document is as bad
     * at its siblings, so leaving it for that moved every request to a fallback. Such an answer
     * is judged at the request's end ({@link #judged}).
     */
    private void judge(int i, UpstreamRequest request, Throwable cause, UnusableAnswers.Round round) {
        if (notItsFault(cause)) {
            return;
        }
        if (!(cause instanceof UpstreamException u && u.kind() == UpstreamException.Kind.UNUSABLE)) {
            down(i, cause.getMessage());
        } else {
            round.unusable(i, request, cause.getMessage());
        }
    }

    /** The request of {@code round} has ended: marks down the upstreams its answers found broken. */
    private void judged(UnusableAnswers.Round round) {
        round.broken().forEach((i, why) -> down(i, why + "; another document was answered so before it, nothing usable"
                + " between"));
    }

    /** Fetches and verifies every upstream's directory; each result marks that upstream up or down. */
    void check() {
        for (int i = 0; i < urls.size(); i++) {
            int index = i;
            UpstreamRequest check = UpstreamRequest.get(DIRECTORY, List.of(new HeaderField("accept-encoding", "identity")));
            upstreams.get(i).send(check).handleAsync((response, failure) -> {
                Throwable cause = failure == null ? null : Completions.cause(failure);
                if (cause == null) {
                    unusable.answered(index, check);
                } else if (notItsFault(cause)) {
                    return null; // as for a request: no verdict on the upstream
                }
                String why = cause != null ? String.valueOf(cause.getMessage()) : problem(response);
                if (why == null) {
                    up(index);
                } else {
                    down(index, "health check: " + why);
                }
                return null;
            }, work);
        }
    }

    /**
     * True for a failure that says nothing of the upstream: every connection to it busy (it is
     * answering others), or this proxy's client stopped (the proxy is stopping; a check then
     * marked every upstream down, with a warning for each).
     */
    private static boolean notItsFault(Throwable cause) {
        return cause instanceof UpstreamException u
                && (u.kind() == UpstreamException.Kind.BUSY || u.kind() == UpstreamException.Kind.STOPPED);
    }

    private String problem(UpstreamResponse r) {
        if (r.status() != 200) {
            return "GET " + DIRECTORY + " answered " + r.status();
        }
        Verdict v = verifier.verify(r::header, r.body().unsafeArray(), Expectation.path(DIRECTORY));
        return v.valid() ? null : "its directory does not verify: " + v.reason();
    }

    private void up(int i) {
        if (up.compareAndSet(i, 0, 1)) {
            LOG.info("upstream {} is up again", urls.get(i));
            choose();
        }
    }

    private void down(int i, String reason) {
        if (up.compareAndSet(i, 1, 0)) {
            LOG.warn("upstream {} is down ({})", urls.get(i), reason);
            choose();
        }
    }

    /** Logs the upstream requests now go to, when that changed. */
    private synchronized void choose() {
        int first = order().get(0);
        if (first != preferred) {
            if (first < preferred) {
                LOG.info("requests go back to upstream {}", urls.get(first));
            } else {
                LOG.warn("requests now go to upstream {}", urls.get(first));
            }
            preferred = first;
        }
    }

    /** The upstream requests go to first now. */
    URI current() {
        return urls.get(order().get(0));
    }
}
