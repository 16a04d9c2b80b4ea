package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.Reply;

/**
 * The publisher's answers to {@code POST}s of stream parameters: to the stream's URI (open a
 * stream: parse, check the limit, bind the substreams, wait for the first answers of query
 * substreams, then hand the stream to the front end) and to a stream's control URI (add and
 * remove substreams, RFC 8895 §7), within {@link SubstreamLimits}. Every refusal is an RFC 7285
 * error naming the field.
 *
 * <p>{@link #handle} may be called from any thread (an event loop): it hands the work to the
 * publisher's thread, where everything else here runs and the stages it returns complete.
 */
final class StreamService {

    /**
     * Substreams one stream may have beyond one per document the node offers (those it holds,
     * plus those its directory lists): query substreams and repeats. A client following every
     * document (as a push proxy does) stays within the part per document; an RFC 8895 client
     * follows a few maps and a few query answers, one substream each, and asks about many PIDs
     * or endpoints in one input, not in one substream apiece. 256 more is far beyond that, and
     * bounds what one stream makes the publisher's thread do per change (one event per
     * substream) and hold (a few hundred bytes per substream).
     */
    static final int SUBSTREAMS_BEYOND_DOCUMENTS = 256;

    /**
     * Bytes of control events a stream may have waiting for its subscriber's window before its
     * control URI takes no more requests ({@code 503}): each request queues a {@code started} or
     * {@code stopped} event that only reading drains, so a subscriber that stops reading could
     * otherwise queue them without end until the stall timeout. A subscriber that reads never
     * meets it: it is many times what a control request's events come to.
     */
    static final long CONTROL_BACKLOG_BYTES = 64 * 1024;

    private final UpdatePublisher publisher;
    private final UpdateStreamConfig config;
    private final String controlPrefix;
    private final Map<String, Track> tracks;
    private final Map<String, Subscription> subscriptions;
    private final SubstreamResolver resolver;
    private final SubstreamLimits limits;
    private final QueryAnswers answers;
    private final Followers followers;
    private final Delivery delivery;
    private final AtomicLong open;
    private final SecureRandom random = new SecureRandom();

    /** The publisher's state, shared: every argument but {@code open} is confined to its thread. */
    StreamService(UpdatePublisher publisher, UpdateStreamConfig config, Map<String, Track> tracks,
                  Map<String, Subscription> subscriptions, QueryAnswers answers, Followers followers,
                  Delivery delivery, AtomicLong open) {
        this.publisher = requireNonNull(publisher, "publisher");
        this.config = requireNonNull(config, "config");
        this.controlPrefix = config.path() + "/control/";
        this.tracks = requireNonNull(tracks, "tracks");
        this.subscriptions = requireNonNull(subscriptions, "subscriptions");
        this.resolver = new SubstreamResolver(tracks);
        this.limits = new SubstreamLimits(tracks, resolver);
        this.answers = requireNonNull(answers, "answers");
        this.followers = requireNonNull(followers, "followers");
        this.delivery = requireNonNull(delivery, "delivery");
        this.open = requireNonNull(open, "open");
    }

    /**
     * Answers a request for the stream's URI or a control URI: anything but {@code POST} at once
     * ({@code 405}, {@code Allow: POST}), the rest on the publisher's {@code thread}.
     */
    CompletionStage<Reply> handle(AltoRequest request, Executor thread) {
        if (!request.method().equals("POST")) {
            return done(new Reply.Error(AltoError.invalidValue("method", request.method(),
                    request.path() + " accepts POST only").withStatus(405), Dialect.JSON, "POST"));
        }
        boolean opening = request.path().equals(config.path());
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return opening ? open(request) : control(request);
                } catch (AltoException e) {
                    return done(error(e.error()));
                }
            }, thread).thenCompose(Function.identity());
        } catch (RejectedExecutionException e) {
            return done(unavailable("the update stream is stopping"));
        }
    }

    private CompletionStage<Reply> open(AltoRequest request) {
        checkType(request);
        StreamRequest req = StreamRequest.parse(request.body());
        if (!req.remove().isEmpty()) {
            throw new AltoException(AltoError.invalidValue("remove", null, "only a stream control request removes"));
        }
        if (req.add().isEmpty()) { // {"add":{}} is there, but empty: not a missing field
            throw new AltoException(req.addGiven() ? AltoError.invalidValue("add", "{}",
                    "a stream opens with at least one substream") : AltoError.missingField("add"));
        }
        refuse(limits.tooMany(req.add().size()));
        if (tracks.isEmpty()) {
            return done(unavailable("no documents yet; try again"));
        }
        if (open.get() >= config.maxSubscribers()) {
            return done(full());
        }
        List<SubstreamResolver.Bound> bound = resolver.resolve(req);
        String token = token();
        String controlUri = ControlUris.of(config, request.host(), controlPrefix + token);
        boolean signatures = req.signatures() != null ? req.signatures() : config.signatureEvents();
        return firstAnswers(bound).thenApply(refused -> {
            if (refused != null) {
                answers.sweep();
                return error(refused);
            }
            if (open.get() >= config.maxSubscribers()) {
                answers.sweep();
                return full();
            }
            Subscription s = new Subscription(token, delivery.now(), config.windowBytes(), signatures);
            bound.forEach(b -> followers.follow(s, b.substream()));
            subscriptions.put(s.token, s);
            open.incrementAndGet();
            return new Reply.Stream(config.heartbeat(), sink -> publisher.opened(s, sink, controlUri));
        });
    }

    private static Reply backlogged(Subscription s) {
        return unavailable("the stream has " + s.controlBacklog() + " bytes of control events its subscriber has not "
                + "read (at most " + CONTROL_BACKLOG_BYTES + "); read the stream, then try again");
    }

    private Reply full() {
        return unavailable("this node serves at most " + config.maxSubscribers()
                + " update streams at once (its max-subscribers setting); try again later");
    }

    /**
     * Completes on the publisher's thread once every query substream of {@code bound} has its
     * first answer: with null, or with the first refusal, its field put under the substream's
     * {@code add/<id>/input}.
     */
    private CompletableFuture<AltoError> firstAnswers(List<SubstreamResolver.Bound> bound) {
        CompletableFuture<AltoError> all = CompletableFuture.completedFuture(null);
        for (SubstreamResolver.Bound b : bound) {
            if (b.query() != null) {
                String field = "add/" + b.substream().id + "/input";
                CompletableFuture<AltoError> one = answers.first(b.query());
                all = all.thenCombine(one, (a, e) -> a != null ? a : e == null ? null : under(field, e));
            }
        }
        return all;
    }

    private static AltoError under(String field, AltoError e) {
        if (e.httpStatus() >= 500) {
            return e;
        }
        String f = e.field() == null || e.field().isEmpty() ? field : field + "/" + e.field();
        return new AltoError(e.code(), f, e.value(), field + ": " + e.message(), e.httpStatus());
    }

    private CompletionStage<Reply> control(AltoRequest request) {
        Subscription s = subscriptions.get(request.path().substring(controlPrefix.length()));
        if (s == null || (s.attached() && !s.open())) {
            throw new AltoException(AltoError.invalidValue("uri", request.path(), "no such update stream (closed?)")
                    .withStatus(404));
        }
        if (s.controlBacklog() >= CONTROL_BACKLOG_BYTES) {
            return done(backlogged(s));
        }
        checkType(request);
        StreamRequest req = StreamRequest.parse(request.body());
        for (int i = 0; i < req.remove().size(); i++) {
            if (!s.substreams().containsKey(req.remove().get(i))) {
                throw new AltoException(AltoError.invalidValue("remove", req.remove().get(i),
                        "no such substream"));
            }
        }
        refuse(limits.conflict(s, req));
        List<SubstreamResolver.Bound> added = resolver.resolve(req);
        return firstAnswers(added).thenApply(refused -> {
            if (refused != null) {
                answers.sweep();
                return error(refused);
            }
            if (!subscriptions.containsKey(s.token)) {
                answers.sweep();
                return error(AltoError.invalidValue("uri", request.path(), "no such update stream (closed?)")
                        .withStatus(404));
            }
            AltoError over = limits.conflict(s, req);
            if (over != null || s.controlBacklog() >= CONTROL_BACKLOG_BYTES) {
                // Other control requests of this stream went first while this one waited.
                answers.sweep();
                return over != null ? error(over) : backlogged(s);
            }
            req.remove().forEach(id -> followers.unfollow(s, id));
            added.forEach(b -> followers.follow(s, b.substream()));
            if (!req.remove().isEmpty()) {
                s.control(ControlEvents.stopped(req.remove(), "removed by the client"));
            }
            if (!added.isEmpty()) {
                s.control(ControlEvents.started(added.stream().map(b -> b.substream().id).toList()));
            }
            delivery.pump(s);
            if (s.substreams().isEmpty()) {
                // RFC 8895 §7: with no substream left the stream has nothing to say; end it.
                s.close();
            }
            return new Reply.NoContent();
        });
    }

    private static void refuse(AltoError e) {
        if (e != null) {
            throw new AltoException(e);
        }
    }

    private static void checkType(AltoRequest request) {
        String t = request.contentType();
        if (!MediaTypes.UPDATE_STREAM_PARAMS.equals(t) && !MediaTypes.UPDATE_STREAM_CONTROL.equals(t)) {
            throw new AltoException(AltoError.invalidValue("content-type", t,
                    "expected " + MediaTypes.UPDATE_STREAM_PARAMS).withStatus(415));
        }
    }

    private String token() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static Reply error(AltoError e) {
        return Reply.error(e, Dialect.JSON);
    }

    static Reply unavailable(String why) {
        return error(AltoError.serverCondition(why, 503));
    }

    static CompletionStage<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
