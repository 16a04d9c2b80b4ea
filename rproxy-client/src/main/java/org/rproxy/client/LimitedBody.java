package org.rproxy.client;

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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A response body read into one array, refused as soon as it passes {@code max} bytes: at once
 * when its {@code Content-Length} says so, else when that many have arrived. The subscription is
 * then cancelled, so a source that sends (or claims) a huge body costs the client neither its
 * memory nor the rest of the transfer. {@link #send} bounds a whole exchange in time as well.
 * The client library's fetches use it, and so does {@code rproxy fetch}. A subscriber serves one
 * exchange, on the HTTP client's threads.
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
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, info -> of(info, max));
        try {
            return exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true); // aborts the exchange: its connection is not reused
            throw new HttpTimeoutException("no complete response within " + timeout);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof TooLarge tooLarge) {
                    throw tooLarge;
                }
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** The subscriber for a response of {@code info}: refused at once when its declared length is over {@code max}. */
    static HttpResponse.BodySubscriber<byte[]> of(HttpResponse.ResponseInfo info, int max) {
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
