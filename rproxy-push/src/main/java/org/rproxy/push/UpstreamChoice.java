package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.upstream.LimitedBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the push feed's upstreams it subscribes to: the first in the configured order to
 * begin with, the next one each time a stream is lost (round the list), and back to a preferred
 * one as soon as a health check finds its directory <b>verifies</b> again. A preferred upstream
 * whose stream failed after going back to it ({@link #returnFailed}: a directory that verifies
 * but a stream refused, {@code 503} when it is full, say) is not checked again before a doubling
 * number of rounds has passed (1, 2, 4 ... up to the longest backoff's worth), so the feed does
 * not tear down the working fallback's stream for it every round. One upstream alone
 * is simply always the choice. Confined to the feed's thread: every method runs there, and the
 * checks' answers come back to it through the feed's HTTP client.
 */
final class UpstreamChoice {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamChoice.class);

    private final List<URI> upstreams;
    private final HttpClient http;
    private final ResponseVerifier verifier;
    private final Duration timeout;
    private final int maxBody;
    private final Executor thread;
    private final int maxSkipped;
    /** Rounds of health checks each upstream sits out before it is checked again. */
    private final int[] skipping;
    /** The rounds each upstream sat out after its last failed return: doubles while they fail. */
    private final int[] skipped;
    private volatile int using;
    private boolean checking;
    private volatile long rounds;

    /**
     * @param timeout the most a health check may take, its whole body read
     * @param maxBody the largest directory a health check reads
     * @param maxSkipped the most rounds a preferred upstream whose stream failed sits out (at least 1)
     */
    UpstreamChoice(List<URI> upstreams, HttpClient http, ResponseVerifier verifier, Duration timeout, int maxBody,
                   int maxSkipped, Executor thread) {
        this.upstreams = List.copyOf(upstreams);
        this.maxSkipped = Math.max(1, maxSkipped);
        this.skipping = new int[this.upstreams.size()];
        this.skipped = new int[this.upstreams.size()];
        this.thread = requireNonNull(thread, "thread");
        this.http = requireNonNull(http, "http");
        this.verifier = requireNonNull(verifier, "verifier");
        this.timeout = requireNonNull(timeout, "timeout");
        this.maxBody = maxBody;
    }

    /** The upstream subscribed to now. */
    URI current() {
        return upstreams.get(using);
    }

    /** The stream from the current upstream was lost: moves to the next; true when that is another one. */
    boolean next() {
        if (upstreams.size() == 1) {
            return false;
        }
        using = (using + 1) % upstreams.size();
        LOG.warn("update stream: moving to upstream {}", current());
        return true;
    }

    /**
     * The stream from upstream {@code index}, gone back to, was lost before it proved itself: it
     * sits out twice as many rounds of checks as the last time (the first time one), up to the
     * most; the fallback's stream meanwhile stays.
     */
    void returnFailed(int index) {
        skipped[index] = Math.min(maxSkipped, Math.max(1, skipped[index] * 2));
        skipping[index] = skipped[index];
        LOG.warn("update stream: upstream {} failed after going back to it; not going back before {} health checks"
                + " have passed", upstreams.get(index), skipped[index]);
    }

    /** The stream from upstream {@code index}, gone back to, proved itself: it is checked every round again. */
    void returnHeld(int index) {
        skipped[index] = 0;
        skipping[index] = 0;
    }

    /**
     * While on a fallback, checks the upstreams preferred to it (their directory fetched and
     * verified) but those sitting out rounds ({@link #returnFailed}), and calls {@code back} with
     * the index of the first that passes, if any, once the checks have answered; at most one
     * round of checks at a time.
     */
    void checkPreferred(IntConsumer back) {
        if (using == 0 || checking) {
            rounds++;
            return;
        }
        boolean[] due = new boolean[using];
        boolean any = false;
        for (int i = 0; i < using; i++) {
            due[i] = skipping[i] == 0;
            any |= due[i];
            skipping[i] = Math.max(0, skipping[i] - 1);
        }
        if (!any) {
            rounds++;
            return;
        }
        checking = true;
        CompletableFuture<?>[] checks = new CompletableFuture<?>[using];
        boolean[] passed = new boolean[using];
        for (int i = 0; i < using; i++) {
            if (!due[i]) {
                checks[i] = CompletableFuture.completedFuture(null);
                continue;
            }
            int index = i;
            URI dir = upstreams.get(i).resolve(StreamDiscovery.DIRECTORY);
            checks[i] = LimitedBody.sendAsync(http, HttpRequest.newBuilder(dir).timeout(timeout).GET().build(),
                    timeout, maxBody).thenAcceptAsync(r -> {
                        if (r.statusCode() == 200) {
                            PulledDocument.verify(StreamDiscovery.DIRECTORY, r, verifier);
                            passed[index] = true;
                        }
                    }, thread);
        }
        // back on the feed's thread as a plain task, not a ...Async stage: an Error a check met
        // (verifying, say) is thrown there, to the thread's guard, not kept in a future nobody reads
        CompletableFuture.allOf(checks).whenComplete((ok, failure) -> thread.execute(() -> {
            checking = false;
            try {
                Throwable t = failure == null ? null : StreamControl.unwrap(failure);
                if (t instanceof Error e) {
                    throw e;
                }
                for (int i = 0; i < passed.length; i++) {
                    if (passed[i] && i < using) {
                        LOG.info("update stream: upstream {} is up again, going back to it", upstreams.get(i));
                        using = i;
                        back.accept(i);
                        return;
                    }
                }
            } finally {
                rounds++;
            }
        }));
    }

    /**
     * Rounds of health checks done (any thread): each call of {@link #checkPreferred} counts once
     * it has decided, its checks answered and acted on, or at once when there was nothing to check.
     */
    long rounds() {
        return rounds;
    }
}
