package org.rproxy.core.upstream;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A response body read into one array, refused as soon as it passes {@code max} bytes: at once
 * when its {@code Content-Length} says so, else when that many have arrived. The subscription is
 * then cancelled, so a source that sends (or claims) a huge body costs the reader neither its
 * memory nor the rest of the transfer. {@link #send} and {@link #sendAsync} bound a whole exchange
 * in time as well. Every exchange rproxy makes with the JDK's {@code HttpClient} reads its body
 * through it: the client library's fetches, {@code rproxy fetch}, and the push feed's side
 * requests (the directory, health checks, control-URI requests), whose upstream is not trusted.
 * A subscriber serves one exchange, on the HTTP client's threads.
 */
public final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** The body passed the largest document accepted. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    private final int max;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private Flow.Subscription subscription;
    private long received;

    private LimitedBody(int max) {
        this.max = max;
    }

    /**
     * Sends {@code request} and reads the whole body within {@code timeout}, from the request to
     * the last byte: the JDK's request timeout ends at the response head, and a source that then
     * trickles or stalls the body would hold the caller for good. Blocking.
     *
     * @throws HttpTimeoutException no complete response within {@code timeout} (the exchange is
     *                              aborted); {@link HttpConnectTimeoutException} for the connection
     * @throws TooLarge             a body over {@code max} bytes
     * @throws IOException          as the JDK's client does
     */
    public static HttpResponse<byte[]> send(HttpClient http, HttpRequest request, Duration timeout, int max)
            throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> exchange = sendAsync(http, request, timeout, max);
        try {
            return exchange.get();
        } catch (InterruptedException e) {
            exchange.cancel(true); // aborts the exchange
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
    }

    /**
     * {@link #send} without blocking: the response, its whole body read within {@code timeout} of
     * the call, or a failure: an {@link HttpTimeoutException} (the exchange is then aborted, its
     * connection not reused), {@link TooLarge}, or the JDK client's own {@link IOException}, not
     * wrapped. Cancelling the returned future aborts the exchange. Where it completes: on the HTTP
     * client's executor, or for a timeout on the JDK's shared delay thread, so a caller that owns
     * a thread hands its continuation over with an {@code ...Async} stage.
     */
    public static CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpClient http, HttpRequest request,
                                                                   Duration timeout, int max) {
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, info -> of(info, max));
        CompletableFuture<HttpResponse<byte[]>> timed = new CompletableFuture<>();
        exchange.whenComplete((response, failure) -> {
            if (failure == null) {
                timed.complete(response);
            } else {
                timed.completeExceptionally(cause(failure));
            }
        });
        // orTimeout drops its timer once the exchange is done: nothing holds the response after
        timed.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        CompletableFuture<HttpResponse<byte[]>> bounded = new CompletableFuture<>();
        timed.whenComplete((response, failure) -> {
            if (failure == null) {
                bounded.complete(response);
                return;
            }
            exchange.cancel(true); // aborts the exchange, if still on: its connection is not reused
            bounded.completeExceptionally(failure instanceof TimeoutException
                    ? new HttpTimeoutException("no complete response within " + timeout) : failure);
        });
        bounded.whenComplete((response, failure) -> {
            if (bounded.isCancelled()) {
                exchange.cancel(true);
            }
        });
        return bounded;
    }

    /** The failure an exchange ended with: a {@link TooLarge} wherever it sits in the chain, else the first cause that is not a wrapper. */
    private static Throwable cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TooLarge) {
                return t;
            }
        }
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The subscriber for a response of {@code info}: refused at once when its declared length is over {@code max}. */
    public static HttpResponse.BodySubscriber<byte[]> of(HttpResponse.ResponseInfo info, int max) {
        long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
        LimitedBody b = new LimitedBody(max);
        if (declared > max) {
            b.body.completeExceptionally(new TooLarge(tooLarge(declared + " bytes declared", max)));
        }
        return b;
    }

    private static String tooLarge(String what, int max) {
        return "a body of " + what + " (expected: at most " + max + ", the largest document accepted)";
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (body.isDone()) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            received += b.remaining();
            parts.add(b);
        }
        if (received > max) {
            parts.clear();
            subscription.cancel();
            body.completeExceptionally(new TooLarge(tooLarge("over " + max + " bytes", max)));
        }
    }

    @Override
    public void onError(Throwable failure) {
        parts.clear();
        body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        byte[] out = new byte[(int) received];
        int at = 0;
        for (ByteBuffer b : parts) {
            int n = b.remaining();
            b.get(out, at, n);
            at += n;
        }
        parts.clear();
        body.complete(out);
    }
}
