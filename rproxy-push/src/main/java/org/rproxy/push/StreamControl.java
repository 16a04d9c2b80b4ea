package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.model.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push feed's side of the update stream's control events (RFC 8895 §6.3): learns the
 * control URI, and when the upstream lists documents the feed does not follow yet (the
 * {@code alto-redist-documents} extension: the directory itself, the seed's XML documents) adds
 * them as substreams through the control URI. Also re-adds, through it, substreams whose update
 * was rejected ({@link #readd}, for {@link SubstreamResync}): the {@code stopped} event that
 * answers such a removal is the feed's own doing, and stops nothing. The requests go through
 * {@link ControlRequests}: one in flight on the stream, what is asked meanwhile merged into the next.
 *
 * <p>Not thread-safe: the feed's own thread owns it.
 */
final class StreamControl {

    private static final Logger LOG = LoggerFactory.getLogger(StreamControl.class);

    private final Substreams substreams;
    private final ControlRequests requests;
    /** Targets the stream carries already though not followed ({@link #carrying}): announced, they are followed, not added. */
    private Set<String> carried = Set.of();

    /** {@code feedThread}: the thread that owns this, to which the answers to control requests come back. */
    StreamControl(HttpClient http, Executor feedThread, Substreams substreams, Function<String, String> heldTag) {
        this.substreams = requireNonNull(substreams, "substreams");
        this.requests = new ControlRequests(http, feedThread, substreams, heldTag);
    }

    /**
     * Handles one control event of the stream at {@code stream}; true when it gave the control
     * URI, that is, the upstream accepted the subscription. A malformed event is ignored.
     * {@code resubscribe} is told why (on the feed's thread) when adding documents through
     * the control URI fails: a new subscription names every document followed, those included.
     *
     * @throws IllegalStateException when the control URI is not on the stream's scheme, host and
     *                               port ({@link #controlUri}), which loses the stream
     */
    boolean onEvent(URI stream, Bytes data, Consumer<String> resubscribe) {
        JsonNode c;
        try {
            c = Jcs.parse(data.unsafeArray());
        } catch (RuntimeException ex) {
            return false;
        }
        boolean accepted = c.hasNonNull("control-uri");
        if (accepted) {
            requests.uri(controlUri(stream, c.get("control-uri").asText()));
        }
        List<String> more = new ArrayList<>();
        long refusedBefore = substreams.refused();
        for (Map.Entry<String, JsonNode> doc : c.path(UpdatePublisher.DOCUMENTS_MEMBER).properties()) {
            if (doc.getValue().isTextual() && substreams.follow(doc.getKey(), doc.getValue().asText())
                    && !carried.contains(doc.getKey())) {
                more.add(doc.getKey());
            }
        }
        if (refusedBefore == 0 && substreams.refused() > 0) {
            LOG.warn("update stream at {} announced documents past what this proxy follows (at most {}, paths of at most {} "
                    + "characters); those are not followed", stream, Substreams.MAX_FOLLOWED, Substreams.MAX_TARGET_CHARS);
        }
        if (!more.isEmpty() && requests.hasUri()) {
            requests.add(more, resubscribe);
        }
        if (c.has("stopped")) {
            stopped(c);
        }
        return accepted;
    }

    /**
     * Adds to the stream the substreams of {@code documents} (target to resource id) that are
     * still followed, naming the tags held, so that the upstream sends each from the version held:
     * the documents followed since a stream on trial was subscribed, once it is the feed's
     * ({@link StreamTrial#handOver}). {@code resubscribe} is told why (on the feed's thread)
     * when the upstream does not take the request, or at once when the stream has no
     * control URI: a new subscription names every document followed, those included.
     */
    void add(Map<String, String> documents, Consumer<String> resubscribe) {
        List<String> more = documents.keySet().stream().filter(substreams::follows).toList();
        if (more.isEmpty()) {
            return;
        }
        if (!requests.hasUri()) {
            resubscribe.accept("no control URI to add " + more + " through");
            return;
        }
        requests.add(more, resubscribe);
    }

    /**
     * The stream carries the substreams of {@code named} (a trial's, {@link StreamTrial#handOver}),
     * some perhaps followed no more: until {@link #remove}, one its upstream announces is followed
     * again with no addition, which the upstream would refuse (the id in use), losing the stream.
     */
    void carrying(Set<String> named) {
        carried = Set.copyOf(named);
    }

    /**
     * Removes from the stream the substreams of {@code named} followed no more (a trial's, once
     * its held control events are routed: the working stream's upstream stopped them meanwhile);
     * ends {@link #carrying}. One control request; the {@code stopped} event it brings stops nothing.
     * {@code resubscribe} is told why (on the feed's thread) when the upstream does not take
     * the request, or at once when the stream has no control URI: a new subscription names only
     * the documents followed.
     */
    void remove(Collection<String> named, Consumer<String> resubscribe) {
        carried = Set.of();
        List<String> gone = substreams.unfollowedOf(named);
        if (gone.isEmpty()) {
            return;
        }
        if (!requests.hasUri()) {
            resubscribe.accept("no control URI to remove substreams of " + gone + " through");
            return;
        }
        requests.remove(gone, resubscribe);
    }

    /** What {@link #readd} did. */
    enum Readd {
        /** Asked: the control request was sent, or what it asks merged into the stream's next one ({@link ControlRequests}). */
        ASKED,
        /** Nothing to send: none of the targets is followed any more. */
        NONE_FOLLOWED,
        /** The stream has no control URI: nothing was sent. */
        NO_CONTROL_URI
    }

    /**
     * Puts the substreams of {@code targets} back on the versions held: one control request
     * removes each and adds it again under its id, naming the tag held (RFC 8895 §7), so that the
     * upstream sends each from there. {@code resubscribe} is told why (on the feed's thread) when
     * the upstream does not take the request.
     */
    Readd readd(Collection<String> targets, Consumer<String> resubscribe) {
        if (!requests.hasUri()) {
            return Readd.NO_CONTROL_URI;
        }
        List<String> followed = targets.stream().filter(substreams::follows).toList();
        if (followed.isEmpty()) {
            return Readd.NONE_FOLLOWED;
        }
        requests.readd(followed, resubscribe);
        return Readd.ASKED;
    }

    /** A new stream starts: it has no control URI until its first control event. */
    void streamStarted() {
        requests.streamStarted();
        carried = Set.of();
    }

    private void stopped(JsonNode c) {
        // the upstream no longer serves those documents: a later subscription naming them
        // would be refused whole (RFC 8895 §6.6), so they are followed no more; the feed's
        // own removals (re-adding a substream) stop nothing
        List<String> dropped = new ArrayList<>();
        boolean theirs = false;
        for (JsonNode id : c.path("stopped")) {
            if (id.isTextual() && requests.ownStop(id.asText())) {
                continue;
            }
            theirs = true;
            String stopped = id.isTextual() ? substreams.target(id.asText()) : null;
            if (stopped != null) {
                requests.stoppedUpstream(stopped); // carried no more: not to be removed
            }
            String target = id.isTextual() ? substreams.unfollow(id.asText()) : null;
            if (target != null) {
                dropped.add(target);
            }
        }
        if (theirs) {
            LOG.info("upstream stopped substreams {}: {}; no longer following {}", c.get("stopped"),
                    c.path("description").asText(""), dropped);
        }
    }

    /**
     * The control URI a stream's control event names, resolved against the stream's URI. The
     * upstream chooses it and is not trusted (ARCHITECTURE.md §4): unchecked, it could make this
     * proxy POST to any host. So it must have the stream's scheme, host and port (a default port
     * counting as itself) and no user info, else the stream is refused, logged, and lost like any
     * broken stream.
     *
     * @throws IllegalStateException saying why it is refused
     */
    static URI controlUri(URI stream, String named) {
        URI uri;
        try {
            uri = stream.resolve(named);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !sameOrigin(stream, uri)) {
            String why = "its control URI '" + named + "' is not on the stream's scheme, host and port ("
                    + stream.getScheme() + "://" + stream.getRawAuthority() + ")";
            LOG.warn("refusing the update stream at {}: {}; an upstream may not direct this proxy's requests "
                    + "elsewhere (name an upstream that has a public URI by that URI)", stream, why);
            throw new IllegalStateException(why);
        }
        return uri;
    }

    private static boolean sameOrigin(URI stream, URI uri) {
        return uri.getScheme() != null && uri.getScheme().equalsIgnoreCase(stream.getScheme())
                && uri.getHost() != null && uri.getHost().equalsIgnoreCase(stream.getHost())
                && uri.getRawUserInfo() == null && UpstreamConfig.port(uri) == UpstreamConfig.port(stream);
    }
}
