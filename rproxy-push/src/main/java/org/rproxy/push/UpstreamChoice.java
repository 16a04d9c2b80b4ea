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

import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.upstream.LimitedBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the push feed's upstreams it subscribes to: the first in the configured order to
 * begin with, the next one each time a stream is lost (round the list), and back to a preferred
 * one once a health check finds its directory <b>verifies</b> again and its stream, tried beside
 * the current one ({@link StreamTrial}), has proved itself ({@link #returnHeld}). One trial at a
 * time: no round of checks starts while one runs, so each return's outcome is recorded, with
 * three upstreams too. A preferred upstream whose trial failed ({@link #returnFailed}: a
 * directory that verifies but a stream refused, {@code 503} when it is full, say) is not checked
 * again before a doubling number of rounds has passed (1, 2, 4 ... up to the longest backoff's
 * worth), so the feed does not open a stream to it every round. One upstream alone is simply
 * always the choice. Confined to the feed's thread: every method runs there, and the
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
    /** The upstream whose stream is on trial, or -1. */
    private volatile int trying = -1;
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

    /** Upstream {@code index} in the configured order. */
    URI get(int index) {
        return upstreams.get(index);
    }

    /** The stream from the current upstream was lost: moves to the next; true when that is another one. */
    boolean next() {
        if (upstreams.size() == 1) {
            return false;
        }
        using = (using + 1) % upstreams.size();
        LOG.debug("update stream: moving to upstream {}", current()); // the loss's line names it (StreamLossLog)
        return true;
    }

    /**
     * The trial of upstream {@code index}'s stream failed ({@code why}: lost before it proved itself): it sits
     * out twice as many rounds of checks as the last time (the first time one), up to the most;
     * the current stream stays.
     */
    void returnFailed(int index, String why) {
        trying = -1;
        skipped[index] = Math.min(maxSkipped, Math.max(1, skipped[index] * 2));
        skipping[index] = skipped[index];
        LOG.warn("update stream: upstream {} failed on trial ({}); staying on {}; not trying it again before {} health"
                + " checks have passed", upstreams.get(index), why, current(), skipped[index]);
    }

    /**
     * The trial of upstream {@code index}'s stream proved itself: it is the upstream subscribed
     * to now, and checked every round again should the feed leave it.
     */
    void returnHeld(int index) {
        trying = -1;
        using = index;
        skipped[index] = 0;
        skipping[index] = 0;
        LOG.info("update stream: back on upstream {}", upstreams.get(index));
    }

    /** The trial was given up for no fault of its upstream (the current stream was lost meanwhile). */
    void returnAbandoned() {
        trying = -1;
    }

    /** Whether a preferred upstream's stream is on trial now (any thread). */
    boolean trying() {
        return trying >= 0;
    }

    /**
     * While on a fallback, checks the upstreams preferred to it (their directory fetched and
     * verified) but those sitting out rounds ({@link #returnFailed}), and calls {@code back} with
     * the index of the first that passes, if any, once the checks have answered, to try its
     * stream; at most one round of checks at a time, and none while a trial runs.
     */
    void checkPreferred(IntConsumer back) {
        if (using == 0 || checking || trying >= 0) {
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
                Throwable t = failure == null ? null : Completions.cause(failure);
                if (t instanceof Error e) {
                    throw e;
                }
                for (int i = 0; i < passed.length; i++) {
                    if (passed[i] && i < using) {
                        LOG.info("update stream: upstream {} is up again, trying its stream beside the current one",
                                upstreams.get(i));
                        trying = i;
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
