package org.rproxy.app;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.sign.ResponseVerifier;
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
 * streams on to its own subscribers. The parts never call each other otherwise.
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
            return new PushPullProxy(publisher, pull, PushFeed.start(feedConfig, verifier, pull::offer));
        } catch (RuntimeException e) {
            pull.close();
            publisher.close();
            throw e;
        }
    }

    /** {@code http://host:port} of the front end. */
    public String baseUri() {
        return pull.baseUri();
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
