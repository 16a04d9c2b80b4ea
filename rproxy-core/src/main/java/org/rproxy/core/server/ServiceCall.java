package org.rproxy.core.server;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

import io.netty.util.concurrent.EventExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one request to the {@link AltoService} and its outcome back to the connection's event
 * loop, where {@link ExchangeHandler} keeps all its state: a stage completed on another thread (the
 * query pool, the upstream's loop) is handed over, one completed at once is taken as it is. A
 * service that throws or returns no stage is a failure like any other, answered 500 there.
 */
final class ServiceCall {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceCall.class);

    private ServiceCall() {
    }

    /** Calls {@code service} with {@code request}; {@code done} gets the reply or the failure, once, on {@code loop}. */
    static void start(AltoService service, AltoRequest request, EventExecutor loop, BiConsumer<Reply, Throwable> done) {
        CompletionStage<Reply> stage;
        try {
            stage = service.handle(request);
        } catch (RuntimeException e) {
            done.accept(null, e);
            return;
        }
        if (stage == null) {
            done.accept(null, new NullPointerException("service returned a null stage"));
            return;
        }
        stage.whenComplete((reply, failure) -> onLoop(loop, reply, failure, done));
    }

    private static void onLoop(EventExecutor loop, Reply reply, Throwable failure, BiConsumer<Reply, Throwable> done) {
        if (loop.inEventLoop()) {
            done.accept(reply, failure);
            return;
        }
        try {
            loop.execute(() -> done.accept(reply, failure));
        } catch (RejectedExecutionException e) {
            // The loop is shutting down, so the connection is gone: nobody to answer.
            LOG.debug("answer dropped, event loop shut down", e);
        }
    }
}
