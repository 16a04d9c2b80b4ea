package org.rproxy.app;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Clock;
import java.util.List;

import org.rproxy.core.config.PushConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.PushFeed;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.StreamMeters;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A push-mode RProxy composed with pull as the fallback: a {@link StreamingPull} (a pull proxy
 * with its own update stream) serves everything (queries and misses are pulled; refresh-ahead
 * keeps what is hot valid while the update stream is down), and the {@link PushFeed} hands each
 * update it verified to the pull proxy's store as if pulled, as a {@code VerifiedRepresentation},
 * which the pull proxy holds without verifying it again when its own verifier made it; every signed copy the store takes
 * (pushed or pulled) goes to the {@link UpdatePublisher} mounted on the same front end at
 * {@code /updates}, so the proxy streams on to its own subscribers. The parts never call each
 * other otherwise. Both halves reach the upstream over https when its URL says so (trusting
 * {@code upstream.ca}), and the front end, {@code /updates} included, serves https with
 * {@code listen.tls}. Readiness waits for the first update stream as well as for pull's tracked
 * resources, and says why it is not ready (a certificate the CA does not vouch for, say). A
 * document the upstream stops ({@code stopped}) is revalidated by the pull half at once, since
 * the upstream is not trusted: a 404 with a signed directory not listing it drops it here, and
 * this proxy's subscribers are told.
 *
 * <p>Threads: those of its parts; the hand-overs are non-blocking.
 */
public final class PushPullProxy implements AutoCloseable {

    private final StreamingPull node;
    private final PushFeed feed;

    private PushPullProxy(StreamingPull node, PushFeed feed) {
        this.node = node;
        this.feed = feed;
    }

    /**
     * Starts from {@code config} alone: the feed subscribes to {@code upstream} with the
     * {@code push} section's timings, and the publisher streams on with its heartbeat, buffer,
     * stall timeout and subscriber limit.
     */
    public static PushPullProxy start(ProxyConfig config, Clock clock) {
        requireNonNull(config, "config");
        return start(config, feedConfig(config), StreamingPull.streamConfig(config), null, requireNonNull(clock, "clock"));
    }

    /** The push feed's settings from {@code upstream} and {@code push}. */
    public static PushFeedConfig feedConfig(ProxyConfig config) {
        PushConfig p = config.push();
        List<URI> urls = config.upstream().urls();
        return PushFeedConfig.of(urls.get(0)).withCa(config.upstream().ca())
                .withReadTimeout(p.readTimeout()).withBackoff(p.backoffMin(), p.backoffMax())
                .withMaxEventBytes((int) Math.max(1024, config.upstream().maxBody().bytes()))
                .withFallbacks(urls.subList(1, urls.size()), config.upstream().healthCheck());
    }

    /**
     * Starts from {@code config} (its mode is ignored: the pull half runs in pull mode) with the
     * push feed and stream settings given.
     *
     * @param verifier what the push feed verifies with; null: the pull half's
     *                 {@linkplain PullProxy#verifier() verifier} on its trusted keys, which learn from
     *                 every directory either half holds (a key rotation), and what it verified is
     *                 held as it is; with another, the pull half verifies each update again
     */
    public static PushPullProxy start(ProxyConfig config, PushFeedConfig feedConfig, UpdateStreamConfig stream,
                                      ResponseVerifier verifier, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(feedConfig, "feedConfig");
        StreamingPull node = StreamingPull.start(config, stream, clock);
        try {
            ResponseVerifier v = verifier != null ? verifier : node.pull().verifier();
            PushFeed feed = PushFeed.start(feedConfig, v, node.pull()::offer);
            // a document the upstream stopped is revalidated now, not on its schedule: the stop then
            // travels down a push tree in about one round trip per hop, decided by signed answers
            feed.onFollowedNoMore(node.pull()::revalidateNow);
            StreamMeters.feed(node.pull().registry(), feed); // the upstream stream's health on /metrics
            node.pull().addReadinessCheck(feed::notReadyBecause);
            return new PushPullProxy(node, feed);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** {@code http://host:port} (or https) of the front end. */
    public String baseUri() {
        return node.pull().baseUri();
    }

    /** Null when ready to serve, else why not (as {@code /readyz} says). */
    public String notReadyBecause() {
        return node.pull().notReadyBecause();
    }

    public PullProxy pull() {
        return node.pull();
    }

    public PushFeed feed() {
        return feed;
    }

    public UpdatePublisher publisher() {
        return node.publisher();
    }

    @Override
    public void close() {
        feed.close();
        node.close();
    }
}
