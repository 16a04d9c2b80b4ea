package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ScheduledExecutorService;

import org.rproxy.core.sign.ResponseVerifier;

/**
 * The parts of one push feed that its subscription's life ({@link FeedConnection}) and its going
 * back to a preferred upstream ({@link FeedReturn}, {@link StreamTrial}) share: built once by
 * {@link PushFeed}, handed on as one.
 *
 * @param config     the feed's settings
 * @param verifier   what the upstreams' directories are verified with
 * @param network    the event loop, TLS context and HTTP client
 * @param upstreams  which upstream is subscribed to, and the health checks
 * @param substreams the documents followed
 * @param receiver   applies, verifies and hands on updates, and holds the versions verified
 * @param thread     the feed's own thread
 */
record FeedParts(PushFeedConfig config, ResponseVerifier verifier, FeedNetwork network, UpstreamChoice upstreams,
                 Substreams substreams, UpdateReceiver receiver, ScheduledExecutorService thread) {

    FeedParts {
        requireNonNull(config, "config");
        requireNonNull(verifier, "verifier");
        requireNonNull(network, "network");
        requireNonNull(upstreams, "upstreams");
        requireNonNull(substreams, "substreams");
        requireNonNull(receiver, "receiver");
        requireNonNull(thread, "thread");
    }
}
