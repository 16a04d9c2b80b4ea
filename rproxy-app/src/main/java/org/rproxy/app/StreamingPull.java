package org.rproxy.app;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.HashSet;
import java.util.Set;

import org.slf4j.LoggerFactory;

import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.PushConfig;
import org.rproxy.pull.PullProxy;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A pull proxy with an update stream (RFC 8895) on its own front end: what {@code rproxy proxy}
 * runs in pull mode, and the pull half of a push proxy ({@link PushPullProxy}). The parts are
 * joined in seven places only: the {@link UpdatePublisher} wraps the pull proxy's service (it
 * answers {@code /updates} and its control URIs, and computes the answers POST-mode substreams
 * follow by calling that service); every signed copy the store takes (fetched, revalidated or
 * offered) goes to the publisher, and every document the upstream answers it no longer has
 * (404, 410) is removed from it, stopping its substreams; the proxy is ready only once the publisher has taken a version
 * of every document held, so a stream opened at a ready proxy starts with all of them, in the
 * order its substreams were added; the documents some substream follows, and the directory that
 * says what can be followed, count as asked for at every refresher pass, so the pull proxy keeps
 * revalidating them when nobody GETs them; a new set of locally computed answers makes the
 * publisher compute its followed answers again; and the publisher's meters ({@code StreamMeters})
 * are on the pull proxy's {@code /metrics}.
 *
 * <p>So a pull proxy's streams are as fresh as its refresh: a new version reaches subscribers
 * when a revalidation brings it, about {@code refresh.ahead} before the held copy's
 * {@code max-age} runs out, and the other documents followed with it, which that new version
 * makes the pull feed revalidate at once, right after it. Threads: those of its parts; the hand-overs are non-blocking.
 */
public final class StreamingPull implements AutoCloseable {

    /** Held and kept fresh for every stream: it says which resources may be followed, and how. */
    static final String DIRECTORY = "/directory";

    private final UpdatePublisher publisher;
    private final PullProxy pull;

    private StreamingPull(UpdatePublisher publisher, PullProxy pull) {
        this.publisher = publisher;
        this.pull = pull;
    }

    /** Starts from {@code config} (its mode is ignored: this is the pull half) with {@code stream}'s settings. */
    public static StreamingPull start(ProxyConfig config, UpdateStreamConfig stream, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        UpdatePublisher publisher = new UpdatePublisher(requireNonNull(stream, "stream"));
        PullProxy pull;
        try {
            pull = PullProxy.start(config.withMode(ProxyConfig.Mode.PULL), clock, publisher::mount);
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
        publisher.bindTo(pull.registry()); // its subscribers and versions on the proxy's /metrics
        pull.addChangeListener(publisher::accept); // and at once those held already
        pull.addGoneListener(publisher::remove); // its substreams stopped, and no longer kept fresh
        pull.addReadinessCheck(() -> notTaken(pull, publisher));
        pull.addAnswersListener(publisher::answersChanged);
        pull.keepFresh(() -> {
            Set<String> targets = new HashSet<>(publisher.followedTargets());
            targets.add(DIRECTORY);
            return targets;
        });
        // Said by the node's own class: a push proxy is no PullProxy in its log
        LoggerFactory.getLogger(config.mode() == ProxyConfig.Mode.PUSH ? PushPullProxy.class : PullProxy.class)
                .info("proxy {} on {}, fetching from {}{}", config.name(), pull.baseUri(), config.upstream().urls(),
                        pull.adminAddress() == null ? "" : " (admin on " + pull.adminAddress() + ")");
        return new StreamingPull(publisher, pull);
    }

    /** Null once the publisher has taken every document the pull proxy holds, else the first it lacks. */
    private static String notTaken(PullProxy pull, UpdatePublisher publisher) {
        for (String target : pull.heldSignedTargets()) {
            if (!publisher.hasTaken(target)) {
                return "update streams: taking " + target;
            }
        }
        return null;
    }

    /** The publisher's settings from a proxy's {@code push} and {@code listen} sections. */
    public static UpdateStreamConfig streamConfig(ProxyConfig config) {
        PushConfig p = config.push();
        return UpdateStreamConfig.defaults().withHeartbeat(p.heartbeat()).withStallTimeout(p.stallTimeout())
                .withWindowBytes(p.subscriberBuffer().bytes()).withMaxSubscribers(p.maxSubscribers())
                .withMaxPendingBytes(p.maxPendingBytes() != null ? p.maxPendingBytes().bytes() : null)
                .withSignatureEvents(p.signatureEvents()).withBase(config.listen().tls() != null, null);
    }

    public PullProxy pull() {
        return pull;
    }

    public UpdatePublisher publisher() {
        return publisher;
    }

    @Override
    public void close() {
        pull.close();
        publisher.close();
    }
}
