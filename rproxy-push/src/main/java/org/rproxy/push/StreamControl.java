package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.concurrent.Completions;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.upstream.LimitedBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push feed's side of the update stream's control events (RFC 8895 §6.3): learns the
 * control URI, and when the upstream lists documents the feed does not follow yet (the
 * {@code alto-redist-documents} extension: the directory itself, the seed's XML documents) adds
 * them as substreams through the control URI. Also re-adds, through it, substreams whose update
 * was rejected ({@link #readd}, for {@link SubstreamResync}): the {@code stopped} event that
 * answers such a removal is the feed's own doing, and stops nothing.
 *
 * <p>Not thread-safe: the feed's own thread owns it.
 */
final class StreamControl {

    private static final Logger LOG = LoggerFactory.getLogger(StreamControl.class);

    /** The most a control request may take, its answer read whole. */
    static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);
    /** The largest answer to a control request read (its body is only logged: an error object at most). */
    static final int CONTROL_ANSWER_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Substreams substreams;
    private final Function<String, String> heldTag;
    /** Substream ids this feed removed (to add them again, or at a hand-over), until the upstream says it stopped them. */
    private final Set<String> readding = new HashSet<>();
    /** Targets the stream carries already though not followed ({@link #carrying}): announced, they are followed, not added. */
    private Set<String> carried = Set.of();
    private URI controlUri;

    StreamControl(HttpClient http, Substreams substreams, Function<String, String> heldTag) {
        this.http = requireNonNull(http, "http");
        this.substreams = requireNonNull(substreams, "substreams");
        this.heldTag = requireNonNull(heldTag, "heldTag");
    }

    /**
     * Handles one control event of the stream at {@code stream}; true when it gave the control
     * URI, that is, the upstream accepted the subscription. A malformed event is ignored.
     * {@code resubscribe} is told why (on the HTTP client's thread) when adding documents through
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
            controlUri = controlUri(stream, c.get("control-uri").asText());
        }
        Map<String, String> more = new LinkedHashMap<>();
        long refusedBefore = substreams.refused();
        for (Map.Entry<String, JsonNode> doc : c.path(UpdatePublisher.DOCUMENTS_MEMBER).properties()) {
            if (doc.getValue().isTextual() && substreams.follow(doc.getKey(), doc.getValue().asText())
                    && !carried.contains(doc.getKey())) {
                more.put(doc.getKey(), doc.getValue().asText());
            }
        }
        if (refusedBefore == 0 && substreams.refused() > 0) {
            LOG.warn("update stream at {} announced documents past what this proxy follows (at most {}, paths of at most {} "
                    + "characters); those are not followed", stream, Substreams.MAX_FOLLOWED, Substreams.MAX_TARGET_CHARS);
        }
        if (!more.isEmpty() && controlUri != null) {
            post(substreams.addition(more, heldTag), "adding substreams " + more.keySet(), resubscribe);
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
     * ({@link StreamTrial#handOver}). {@code resubscribe} is told why (on the HTTP client's
     * thread) when the upstream does not take the request, or at once when the stream has no
     * control URI: a new subscription names every document followed, those included.
     */
    void add(Map<String, String> documents, Consumer<String> resubscribe) {
        Map<String, String> more = new LinkedHashMap<>();
        Set<String> followed = substreams.followed();
        documents.forEach((target, id) -> {
            if (followed.contains(target)) {
                more.put(target, id);
            }
        });
        if (more.isEmpty()) {
            return;
        }
        if (controlUri == null) {
            resubscribe.accept("no control URI to add " + more.keySet() + " through");
            return;
        }
        post(substreams.addition(more, heldTag), "adding substreams " + more.keySet(), resubscribe);
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
     * {@code resubscribe} is told why (on the HTTP client's thread) when the upstream does not take
     * the request, or at once when the stream has no control URI: a new subscription names only
     * the documents followed.
     */
    void remove(Collection<String> named, Consumer<String> resubscribe) {
        carried = Set.of();
        List<String> ids = substreams.unfollowedIds(named);
        if (ids.isEmpty()) {
            return;
        }
        if (controlUri == null) {
            resubscribe.accept("no control URI to remove substreams " + ids + " through");
            return;
        }
        readding.addAll(ids);
        post(Substreams.removal(ids), "removing substreams " + ids, resubscribe);
    }

    /** What {@link #readd} did. */
    enum Readd {
        /** The control request was sent. */
        SENT,
        /** Nothing to send: none of the targets is followed any more. */
        NONE_FOLLOWED,
        /** The stream has no control URI: nothing was sent. */
        NO_CONTROL_URI
    }

    /**
     * Puts the substreams of {@code targets} back on the versions held: one control request
     * removes each and adds it again under its id, naming the tag held (RFC 8895 §7), so that the
     * upstream sends each from there. {@code resubscribe} is told why (on the HTTP client's
     * thread) when the upstream does not take the request.
     */
    Readd readd(Collection<String> targets, Consumer<String> resubscribe) {
        if (controlUri == null) {
            return Readd.NO_CONTROL_URI;
        }
        Substreams.Readdition r = substreams.readdition(targets, heldTag);
        if (r == null) {
            return Readd.NONE_FOLLOWED;
        }
        readding.addAll(r.ids());
        post(r.body().unsafeArray(), "re-adding substreams " + r.ids() + " " + targets, resubscribe);
        return Readd.SENT;
    }

    /** A new stream starts: it has no control URI until its first control event. */
    void streamStarted() {
        controlUri = null;
        readding.clear();
        carried = Set.of();
    }

    private void stopped(JsonNode c) {
        // the upstream no longer serves those documents: a later subscription naming them
        // would be refused whole (RFC 8895 §6.6), so they are followed no more; the feed's
        // own removals (re-adding a substream) stop nothing
        List<String> dropped = new ArrayList<>();
        boolean theirs = false;
        for (JsonNode id : c.path("stopped")) {
            if (id.isTextual() && readding.remove(id.asText())) {
                continue;
            }
            theirs = true;
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
     * Sends a control request. The upstream is not trusted: its answer, whose body is only
     * logged, must be complete within {@link #CONTROL_TIMEOUT} and {@link #CONTROL_ANSWER_BYTES}
     * ({@link LimitedBody}); else the request failed. A failure is not logged here: it loses the
     * stream, which the feed logs with this reason ({@code resubscribe}).
     */
    private void post(byte[] body, String what, Consumer<String> resubscribe) {
        HttpRequest req = HttpRequest.newBuilder(controlUri).timeout(CONTROL_TIMEOUT)
                .header("Content-Type", MediaTypes.UPDATE_STREAM_PARAMS)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        LimitedBody.sendAsync(http, req, CONTROL_TIMEOUT, CONTROL_ANSWER_BYTES).whenComplete((resp, failure) -> {
            if (failure != null || resp.statusCode() != 204) {
                resubscribe.accept(what + " through the control URI failed: " + (failure != null ? Completions.cause(failure).toString()
                        : resp.statusCode() + " " + new String(resp.body(), StandardCharsets.UTF_8)));
            }
        });
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
