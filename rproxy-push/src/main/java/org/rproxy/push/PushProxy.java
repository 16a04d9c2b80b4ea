package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.CacheStatus;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;

/**
 * A push-mode proxy on its own: a {@link PushFeed} from the upstream, the verified documents
 * held in memory and served as they are (GET/HEAD, 200/304, gzip), and an
 * {@link UpdatePublisher} on the same front end that streams them on to its own subscribers.
 * The app's {@code proxy --mode push} composes the same parts with the pull feed and its store
 * (queries and the fallback while the stream is down); this class is the push half alone, for
 * tests and for running without pull. Past a signature's {@code expires} a document is answered
 * 504 rather than served.
 */
public final class PushProxy implements AutoCloseable {

    private final Map<String, Representation> documents = new ConcurrentHashMap<>();
    private final Clock clock;
    private final UpdatePublisher publisher;
    private final PushFeed feed;
    private final AltoHttpServer server;
    private final boolean https;

    private PushProxy(FrontEndConfig frontEnd, PushFeedConfig feedConfig, ResponseVerifier verifier,
                      UpdateStreamConfig streamConfig, Clock clock) {
        this.clock = clock;
        this.https = frontEnd.sslContext() != null;
        this.publisher = new UpdatePublisher(streamConfig);
        AltoHttpServer s = null;
        try {
            s = AltoHttpServer.start(frontEnd, publisher.mount(this::serve));
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
        this.server = s;
        this.feed = PushFeed.start(feedConfig, verifier, copy -> {
            String target = copy.target();
            Representation r = copy.representation();
            if (target.equals(StreamDiscovery.DIRECTORY)) {
                // the origin's next key, announced: learnt from the directory the feed verified with this
                // verifier, not verified again (an older directory than the valid one learnt from teaches nothing)
                verifier.learnKeys(copy, StreamDiscovery.DIRECTORY);
            }
            documents.put(target, r);
            publisher.accept(target, r);
        });
    }

    public static PushProxy start(FrontEndConfig frontEnd, PushFeedConfig feed, ResponseVerifier verifier,
                                  UpdateStreamConfig stream) {
        return start(frontEnd, feed, verifier, stream, Clock.systemUTC());
    }

    /**
     * As {@link #start(FrontEndConfig, PushFeedConfig, ResponseVerifier, UpdateStreamConfig)},
     * judging what it holds as expired by {@code clock} (give {@code verifier} the same one).
     */
    public static PushProxy start(FrontEndConfig frontEnd, PushFeedConfig feed, ResponseVerifier verifier,
                                  UpdateStreamConfig stream, Clock clock) {
        return new PushProxy(requireNonNull(frontEnd, "frontEnd"), requireNonNull(feed, "feed"),
                requireNonNull(verifier, "verifier"), requireNonNull(stream, "stream"), requireNonNull(clock, "clock"));
    }

    private CompletableFuture<Reply> serve(org.rproxy.core.server.AltoRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return done(Reply.error(AltoError.invalidValue("method", request.method(),
                    "a push proxy serves the full documents only (GET)").withStatus(405), Dialect.JSON));
        }
        Representation r = documents.get(request.target());
        if (r == null) {
            return done(Reply.error(AltoError.invalidValue("uri", request.path(), "no such resource").withStatus(404),
                    Dialect.JSON));
        }
        if (!r.expires().isAfter(clock.instant())) {
            return done(Reply.error(AltoError.serverCondition(
                    "the held signature expired and the upstream is out of reach", 504), Dialect.JSON));
        }
        return done(Reply.ok(r, CacheStatus.HIT));
    }

    private static CompletableFuture<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    public String baseUri() {
        InetSocketAddress a = address();
        return (https ? "https://" : "http://") + a.getAddress().getHostAddress() + ":" + a.getPort();
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
        server.close();
        publisher.close();
    }
}
