package org.rproxy.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.net.TransportFailures;
import org.rproxy.core.upstream.LimitedBody;

/**
 * The client's HTTP: one JDK {@link HttpClient} (HTTP/1.1 only, also over TLS; connections reused),
 * every fetch bounded by the timeout from the request to the body's last byte (the JDK's own
 * request timeout ends at the response head, and a source that sends its head and then trickles
 * or stalls the body would hold the caller for good, never falling back), every body by the
 * largest document accepted, and every failure turned into the {@link ClientException} that
 * names it: timed out, TLS failure, unreachable, too large, or refused with the status and the
 * ALTO error the source sent; an interrupt of the calling thread is
 * {@link ClientException.Interrupted}, with the thread's interrupt status kept. Blocking; runs on the caller's thread or the update follower's.
 * Thread-safe.
 *
 * <p>The {@link HttpClient} runs its work on an executor this fetcher owns (daemon threads named
 * {@code alto-client-http-M} and the origin's host, {@link ClientThreads}), so that {@link #close()} ends those threads at once rather than
 * when they have idled for a minute; a closed fetcher refuses to fetch.
 */
final class Fetcher implements AutoCloseable {
    /** {@code HttpClient.close()} where the runtime has it (Java 21+), else null. */
    private static final Method HTTP_CLOSE = httpClose();

    private final HttpClient http;
    private final ExecutorService executor;
    private final Duration timeout;
    private final int maxBodyBytes;
    private volatile boolean closed;

    Fetcher(ClientOptions options) {
        this.executor = executor(ClientThreads.of(options.origin()));
        // HTTP/1.1 only: offered HTTP/2 (h2c on http, ALPN on https), a source could take it, and the
        // JDK keeps an HTTP/2 connection after refusing an exchange on it (a body too large, too
        // slow), reading and dropping whatever the source goes on sending, for as long as it likes
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout()).followRedirects(HttpClient.Redirect.NEVER).executor(executor);
        if (options.sslContext() != null) {
            b.sslContext(options.sslContext());
        }
        this.http = b.build();
        this.timeout = options.timeout();
        this.maxBodyBytes = options.maxEventBytes();
    }

    /** A cached pool of daemon threads named after the client's origin {@code of}: threads idle a minute end. */
    private static ExecutorService executor(String of) {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                ClientThreads.numbered("alto-client-http", of));
    }

    private static Method httpClose() {
        try {
            return HttpClient.class.getMethod("close");
        } catch (NoSuchMethodException e) {
            return null; // Java 17 to 20: the client's selector thread ends once the client is unreachable
        }
    }

    /**
     * Stops fetching: later fetches throw {@link IllegalStateException}; the executor's threads end
     * (at once when idle, else when their task does), and on a runtime with
     * {@code HttpClient.close()} (Java 21+) that is called too, closing the connections and the
     * selector thread. On Java 17 to 20 the JDK keeps its selector thread and pooled connections
     * until the {@link HttpClient} is unreachable and collected, and a connection on which it
     * refused an answer that is not HTTP for as long as the JVM runs (nothing can reach it: see
     * client-library.md for what a source answering so costs). Closing again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdown();
        if (HTTP_CLOSE != null) {
            try {
                HTTP_CLOSE.invoke(http);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // nothing more can be freed: the executor is shut down, and the rest goes with the client
            }
        }
    }

    /** @throws IllegalStateException once closed, naming {@code uri} as not asked */
    void requireOpen(URI uri) {
        if (closed) {
            throw new IllegalStateException("this client is closed: " + uri + " not asked");
        }
    }

    /**
     * GETs {@code uri}; a 200 is returned, any other status is {@link ClientException.Refused}. The
     * whole exchange, body included, ends within the timeout ({@link ClientException.TimedOut}),
     * and a body larger than the largest document accepted is refused as it comes
     * ({@link ClientException.InvalidResponse}).
     */
    HttpResponse<byte[]> get(URI uri) {
        requireOpen(uri);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<byte[]> r = sendWhole(uri, req);
        if (r.statusCode() != 200) {
            throw ExchangeFailures.refused(uri, r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
        }
        return r;
    }

    /**
     * Opens an update stream: POSTs the parameters and returns the event stream's body, to be
     * read (and closed) by the caller. The timeout bounds the wait for the response head, and for
     * an answer that is no stream (a refusal) the wait for its whole body too, read as a fetch's
     * is: a source that sent a refusal's head and then stalled its body held the subscriber for
     * good, deaf to interrupts (the JDK's body stream waits on without heeding them).
     */
    InputStream subscribe(URI uri, byte[] params) {
        requireOpen(uri);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", MediaTypes.UPDATE_STREAM_PARAMS)
                .header("Accept", MediaTypes.EVENT_STREAM)
                .POST(HttpRequest.BodyPublishers.ofByteArray(params)).build();
        CompletableFuture<HttpResponse<Answer>> exchange;
        try {
            exchange = http.sendAsync(req, this::answer);
        } catch (RejectedExecutionException e) {
            throw closedMeanwhile(uri, e);
        }
        HttpResponse<Answer> r = await(uri, exchange);
        if (r.body().refusal() != null) {
            throw ExchangeFailures.refused(uri, r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body().refusal());
        }
        return r.body().stream();
    }

    /** A subscription's answer: its event stream, or the whole body of a refusal. */
    private record Answer(InputStream stream, byte[] refusal) {
    }

    private HttpResponse.BodySubscriber<Answer> answer(HttpResponse.ResponseInfo info) {
        if (info.statusCode() == 200
                && info.headers().firstValue("content-type").orElse("").startsWith(MediaTypes.EVENT_STREAM)) {
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(), in -> new Answer(in, null));
        }
        return HttpResponse.BodySubscribers.mapping(LimitedBody.of(info, maxBodyBytes), body -> new Answer(null, body));
    }

    /** The subscription's answer within the timeout, else the failure naming it; an interrupt or the timeout aborts it. */
    private HttpResponse<Answer> await(URI uri, CompletableFuture<HttpResponse<Answer>> exchange) {
        try {
            return exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            if (!exchange.cancel(true)) { // answered just now: a stream no one will read is closed
                exchange.thenAccept(r -> Optional.ofNullable(r.body().stream()).ifPresent(Fetcher::closeQuietly));
            }
            throw interrupted(uri, e);
        } catch (TimeoutException e) {
            if (!exchange.cancel(true)) {
                return exchange.join(); // it completed just now: not to be dropped (a stream left open)
            }
            throw failure(uri, new HttpTimeoutException("timed out"), "no complete response");
        } catch (ExecutionException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof LimitedBody.TooLarge large) { // wherever the JDK put it in the chain
                    throw new ClientException.InvalidResponse(uri, large.getMessage());
                }
            }
            if (e.getCause() instanceof IOException io) {
                throw failure(uri, io, "no response");
            }
            throw new IllegalStateException(e.getCause()); // not an exchange's failure: a defect
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    private HttpResponse<byte[]> sendWhole(URI uri, HttpRequest req) {
        try {
            return LimitedBody.send(http, req, timeout, maxBodyBytes);
        } catch (LimitedBody.TooLarge e) {
            throw new ClientException.InvalidResponse(uri, e.getMessage());
        } catch (IOException e) {
            throw failure(uri, e, "no complete response");
        } catch (InterruptedException e) {
            throw interrupted(uri, e);
        } catch (RejectedExecutionException e) {
            throw closedMeanwhile(uri, e);
        }
    }

    /**
     * The executor refused the exchange's work: closed between {@link #requireOpen} and the send
     * (a close from another thread), told as a fetch after the close is; else a defect, as it is.
     */
    private RuntimeException closedMeanwhile(URI uri, RejectedExecutionException e) {
        if (closed) {
            return new IllegalStateException("this client is closed: " + uri + " not asked", e);
        }
        return e;
    }

    /**
     * A failed exchange: interrupted (the caller's thread is), timed out (the connection, or
     * {@code what} within the timeout), or {@link ExchangeFailures#transportFailure}.
     */
    private ClientException failure(URI uri, IOException e, String what) {
        if (Thread.currentThread().isInterrupted()) {
            return interrupted(uri, e); // an exchange the interrupt broke off (a ClosedByInterruptException, say)
        }
        String late = TransportFailures.timedOut(e, what, timeout);
        if (late != null) {
            return new ClientException.TimedOut(uri, late, e);
        }
        return ExchangeFailures.transportFailure(uri, e);
    }

    /** The caller's interrupt, not the source's failure: the status is set again for the caller to see. */
    private static ClientException interrupted(URI uri, Exception e) {
        Thread.currentThread().interrupt();
        return new ClientException.Interrupted(uri, e);
    }

    /** All lines of header {@code name} joined with ", " (RFC 9110 §5.3), or null. */
    static String header(HttpResponse<?> r, String name) {
        List<String> v = r.headers().allValues(name);
        return v.isEmpty() ? null : String.join(", ", v);
    }
}
