package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;

/**
 * The pull proxy's answer to every request: GET and HEAD go straight to the {@link PullFeed}
 * (a hit completes on the event loop); a POST's body is canonicalised and hashed for its key on
 * the worker executor first. The request target is passed upstream as received, since the origin
 * signs the path and query it was asked for.
 */
final class PullService implements AltoService {
    private final PullFeed feed;
    private final Executor work;

    PullService(PullFeed feed, Executor work) {
        this.feed = requireNonNull(feed, "feed");
        this.work = requireNonNull(work, "work");
    }

    @Override
    public CompletionStage<Reply> handle(AltoRequest request) {
        String target = originForm(request.rawTarget());
        if (target == null) {
            return CompletableFuture.completedFuture(Reply.error(AltoError.invalidValue("uri", request.rawTarget(),
                    "not a request target this proxy can forward"), Dialects.of(request.path())));
        }
        if (!request.method().equals("POST")) {
            return feed.serve(CacheKey.get(target), request.accept() == null ? UpstreamCall.PLAIN_GET
                    : new UpstreamCall(request.accept(), null, Bytes.empty()));
        }
        UpstreamCall call = new UpstreamCall(request.accept(), request.contentType(), request.body());
        try {
            return CompletableFuture.supplyAsync(
                    () -> CacheKey.post(target, request.contentType(), QueryDigest.of(request.contentType(), request.body())),
                    work).thenCompose(key -> feed.serve(key, call));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Reply.error(new AltoError(AltoErrorCode.E_INVALID_FIELD_VALUE,
                    null, null, "the proxy is stopping; try again", 503), Dialects.of(request.path())));
        }
    }

    /** {@code /path?query} from an origin-form or absolute-form target, or null. */
    static String originForm(String raw) {
        if (raw.startsWith("/")) {
            return raw;
        }
        try {
            URI uri = new URI(raw);
            if (!uri.isAbsolute() || uri.getRawPath() == null) {
                return null;
            }
            String path = uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
