package org.rproxy.app;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.PushConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.PushFeed;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A push-mode RProxy composed with pull as the fallback (DESIGN.md §6/§7): a {@link PullProxy}
 * serves everything (queries and misses are pulled; refresh-ahead keeps what is hot valid while
 * the update stream is down); the {@link PushFeed} hands each update it verified to the pull
 * proxy's store as if pulled; every signed copy the store takes (pushed or pulled) goes to the
 * {@link UpdatePublisher} mounted on the same front end at {@code /updates}, so the proxy
 * streams on to its own subscribers. The parts never call each other otherwise. Both halves
 * reach the upstream over https when its URL says so (trusting {@code upstream.ca}), and the
 * front end, {@code /updates} included, serves https with {@code listen.tls}. Readiness waits for
 * the first update stream as well as for pull's tracked resources, and says why it is not ready
 * (a certificate the CA does not vouch for, say).
 *
 * <p>Threads: those of its parts; the hand-overs are non-blocking.
 */
public final class PushPullProxy implements AutoCloseable {

    private final UpdatePublisher publisher;
    private final PullProxy pull;
    private final PushFeed feed;

    private PushPullProxy(UpdatePublisher publisher, PullProxy pull, PushFeed feed) {
        this.publisher = publisher;
        this.pull = pull;
        this.feed = feed;
    }

    /**
     * Starts from {@code config} alone: the feed subscribes to {@code upstream} with the
     * {@code push} section's timings, and the publisher streams on with its heartbeat, buffer and
     * stall timeout.
     */
    public static PushPullProxy start(ProxyConfig config, Clock clock) {
        requireNonNull(config, "config");
        return start(config, feedConfig(config), streamConfig(config.push()),
                new ResponseVerifier(trustedKeys(config.upstream().trust()), requireNonNull(clock, "clock")), clock);
    }

    /** The push feed's settings from {@code upstream} and {@code push}. */
    public static PushFeedConfig feedConfig(ProxyConfig config) {
        PushConfig p = config.push();
        return PushFeedConfig.of(config.upstream().url()).withCa(config.upstream().ca())
                .withReadTimeout(p.readTimeout()).withBackoff(p.backoffMin(), p.backoffMax());
    }

    /** The publisher's settings from {@code push}. */
    public static UpdateStreamConfig streamConfig(PushConfig p) {
        return UpdateStreamConfig.defaults().withHeartbeat(p.heartbeat()).withStallTimeout(p.stallTimeout())
                .withWindowBytes(p.subscriberBuffer().bytes()).withMaxSubscribers(p.maxSubscribers());
    }

    private static List<VerificationKey> trustedKeys(List<Path> trust) {
        List<VerificationKey> keys = new ArrayList<>();
        for (int i = 0; i < trust.size(); i++) {
            try {
                keys.add(VerificationKey.readPem(trust.get(i)));
            } catch (RuntimeException e) {
                throw new ConfigException("upstream.trust[" + i + "]: " + trust.get(i) + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }

    /**
     * Starts from {@code config} (its mode is ignored: the pull half runs in pull mode) with the
     * push feed and stream settings given.
     */
    public static PushPullProxy start(ProxyConfig config, PushFeedConfig feedConfig, UpdateStreamConfig stream,
                                      ResponseVerifier verifier, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(feedConfig, "feedConfig");
        requireNonNull(verifier, "verifier");
        UpdatePublisher publisher = new UpdatePublisher(requireNonNull(stream, "stream"));
        PullProxy pull;
        try {
            pull = PullProxy.start(config.withMode(ProxyConfig.Mode.PULL), requireNonNull(clock, "clock"),
                    publisher::wrap);
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
        pull.addChangeListener(publisher::accept);
        try {
            PushFeed feed = PushFeed.start(feedConfig, verifier, pull::offer);
            pull.addReadinessCheck(feed::notReadyBecause);
            return new PushPullProxy(publisher, pull, feed);
        } catch (RuntimeException e) {
            pull.close();
            publisher.close();
            throw e;
        }
    }

    /** {@code http://host:port} (or https) of the front end. */
    public String baseUri() {
        return pull.baseUri();
    }

    /** Null when ready to serve, else why not (as {@code /readyz} says). */
    public String notReadyBecause() {
        return pull.notReadyBecause();
    }

    public PullProxy pull() {
        return pull;
    }

    public PushFeed feed() {
        return feed;
    }

    public UpdatePublisher publisher() {
        return publisher;
    }

    @Override
    public void close() {
        feed.close();
        pull.close();
        publisher.close();
    }
}
