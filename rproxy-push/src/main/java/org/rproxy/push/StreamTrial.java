package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.stream.SseParser;
import org.rproxy.core.stream.UpdateApplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A preferred upstream's update stream, tried <b>beside</b> the working one before the feed goes
 * back to that upstream: its directory is read ({@link StreamDiscovery}), its stream opened naming
 * every document followed with the tags held, and its events are held back until the stream is
 * accepted (a control event names a control URI the feed takes) and has proved itself as {@link
 * FeedConnection} defines it: a heartbeat came, or an update on it verifies against the versions
 * held. Only then is the {@link Owner} told, which puts this stream in the working one's place in
 * one step on the feed's thread ({@link #handOver}). Going back used to close the working stream
 * first: each preferred upstream whose stream then failed cost a reconnect to the fallback, and
 * the updates of that window came late.
 *
 * <p>Until then nothing of it reaches the store. Its updates are checked ({@link
 * UpdateReceiver#check}), not taken: one that repeats the version held (the working stream brought
 * it meanwhile) is dropped; the one that proves the stream is taken as it takes over (if its
 * document is followed still: {@link TrialHandOver#handOver}); any other
 * (a merge patch from a version since replaced, say) has its substream put back on the version
 * held once the stream is the feed's ({@link SubstreamResync}), so the switch neither loses an
 * update nor goes back to an older version. A trial that is refused, breaks, cannot be read, or
 * is not proved within twice the read timeout of its acceptance fails, and the working stream never
 * knew of it. What it holds back ({@link TrialHandOver}) is bounded: its control events up to the
 * largest event taken, one document event waiting for its signature event, and the targets to put
 * back (documents followed).
 *
 * <p>Not thread-safe: runs on the feed's own thread.
 */
final class StreamTrial implements FeedStream.Listener {

    /** The push feed's logger: the stream's life is the feed's news. */
    private static final Logger LOG = LoggerFactory.getLogger(PushFeed.class);

    /** Told how the trial ends, on the feed's thread; at most one of the two, once. */
    interface Owner {
        /** The stream proved itself: {@link #handOver} it. */
        void proved(StreamTrial trial);

        /** The trial failed ({@code why}); its stream is closed. */
        void failed(StreamTrial trial, String why);
    }

    private final int index;
    private final URI upstream;
    private final ResponseVerifier verifier;
    private final PushFeedConfig config;
    private final FeedNetwork network;
    private final Substreams substreams;
    private final UpdateReceiver receiver;
    private final ScheduledExecutorService thread;
    private final Owner owner;
    /** What is held back until the hand-over. */
    private final TrialHandOver held;
    private long controlBytes;
    private URI uri;
    private FeedStream stream;
    private boolean accepted;
    private boolean done;
    private String refusal;

    /** @param index the upstream's place in the configured order, {@code upstream} its URI */
    StreamTrial(int index, URI upstream, FeedParts parts, Owner owner) {
        this.index = index;
        this.upstream = requireNonNull(upstream, "upstream");
        this.verifier = parts.verifier();
        this.config = parts.config();
        this.network = parts.network();
        this.substreams = parts.substreams();
        this.receiver = parts.receiver();
        this.thread = parts.thread();
        this.owner = requireNonNull(owner, "owner");
        this.held = new TrialHandOver(substreams, receiver);
    }

    int index() {
        return index;
    }

    /** The stream's URI, once the directory named it. */
    URI uri() {
        return uri;
    }

    /** The stream, once opened. */
    FeedStream stream() {
        return stream;
    }

    /**
     * Reads the upstream's directory and opens its stream; returns at once. {@code opened} is
     * told when the stream is opened.
     */
    void start(Runnable opened) {
        StreamDiscovery.fetch(network.http, upstream, verifier, config.readTimeout(), config.maxEventBytes())
                .whenComplete((found, failure) -> run(() -> {
                    if (done) {
                        return;
                    }
                    if (failure != null) {
                        fail("directory: " + TransportFailures.reason(failure));
                        return;
                    }
                    found.documents().forEach(substreams::follow);
                    uri = found.stream();
                    boolean https = "https".equalsIgnoreCase(uri.getScheme());
                    if (https && network.tls == null) {
                        fail("the update stream " + uri + " is https but the upstream " + upstream + " is not");
                        return;
                    }
                    opened.run();
                    held.subscribing(found.directory());
                    stream = new FeedStream(network, uri, https ? network.tls : null,
                            substreams.subscription(receiver::heldTag), config.readTimeout(), config.maxEventBytes(),
                            this::run, this);
                }));
    }

    @Override
    public void event(SseParser.Event e) {
        if (done) {
            return;
        }
        String type = e.type();
        int comma = type.lastIndexOf(',');
        if (comma < 0) {
            if (type.equals(MediaTypes.UPDATE_STREAM_CONTROL)) {
                control(e);
            }
            return;
        }
        String media = type.substring(0, comma);
        String target = substreams.target(type.substring(comma + 1));
        if (target == null) {
            return;
        }
        if (!media.equals(SignatureEvent.MEDIA_TYPE)) {
            held.data(target, new UpdateApplier.Data(media.equals(MediaTypes.MERGE_PATCH), e.data()));
            return;
        }
        UpdateApplier.Result r = receiver.check(target, held.takeData(target), e.data());
        if (r instanceof UpdateApplier.Result.Applied ok && accepted) {
            held.proving(target, ok); // this update is on the version held: the substream is in step
            prove();
        } else if (!(r instanceof UpdateApplier.Result.Repeated)) {
            held.stale(target);
        }
    }

    /**
     * A control event: held for the hand-over; the first naming a control URI accepts the
     * stream, once that URI is taken ({@link StreamControl#controlUri}: one elsewhere throws, and
     * the stream is unreadable, as the working one would be).
     */
    private void control(SseParser.Event e) {
        JsonNode c;
        try {
            c = Jcs.parse(e.data().unsafeArray());
        } catch (RuntimeException ex) {
            return; // ignored, as on the working stream
        }
        controlBytes += e.data().length();
        if (controlBytes > config.maxEventBytes()) {
            fail("more control events than the largest event taken (" + config.maxEventBytes()
                    + " bytes) before it proved itself");
            return;
        }
        if (!accepted && c.hasNonNull("control-uri")) {
            StreamControl.controlUri(uri, c.get("control-uri").asText());
            accepted = true;
            stream.accepted(); // within the deadline for opening (UpstreamStream)
            long within = 2 * config.readTimeout().toMillis(); // a silent stream is lost after one
            try {
                thread.schedule(() -> {
                    if (!done) {
                        fail("accepted, but neither a heartbeat nor a verified update came within " + within + " ms");
                    }
                }, within, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException ex) {
                // closing
            }
        }
        held.control(e);
    }

    @Override
    public void heartbeat() {
        if (!done && accepted) {
            prove();
        }
    }

    @Override
    public void refused(AltoError error) {
        refusal = error.message(); // the loss follows
    }

    @Override
    public void unreadable(String why) {
        fail(why);
    }

    @Override
    public void lost(StreamEnd end) {
        fail(refusal != null ? "refused: " + refusal : end.reason());
    }

    private void prove() {
        done = true;
        owner.proved(this);
    }

    private void fail(String why) {
        if (done) {
            return;
        }
        done = true;
        if (stream != null) {
            stream.close();
        }
        owner.failed(this, why);
    }

    /** Ends the trial, its stream closed, telling the owner nothing (the feed is closing, or moving on). */
    void abandon() {
        done = true;
        if (stream != null) {
            stream.close();
        }
    }

    /** The stream is the feed's now: what was held back goes where it would have gone on it ({@link TrialHandOver#handOver}). */
    void handOver(FeedEvents events, Consumer<String> resubscribe) {
        held.handOver(uri, events, resubscribe);
    }

    private void run(Runnable task) {
        OwnThread.run(thread, task, LOG, "push feed");
    }
}
