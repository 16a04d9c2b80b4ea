package org.rproxy.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A plain update stream subscriber for tests, written from the WHATWG event-stream rules with the
 * JDK's HTTP client (HTTP/1.1) or an {@link H2cClient} (HTTP/2) and nothing of the product: POSTs
 * the parameters, reads lines and queues each dispatched event (type, data joined by LF).
 */
final class SseClient implements AutoCloseable {

    record Event(String type, String data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private final Thread reader;
    private final H2cClient.Streaming h2;
    /** The event being read: its type and data so far (null: no data line yet). */
    private String type;
    private StringBuilder data;
    /** The bytes of an HTTP/2 stream's line not ended yet. */
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private boolean afterCr;

    SseClient(HttpClient http, String streamUri, String params) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(streamUri))
                .header("Content-Type", "application/alto-updatestreamparams+json")
                .POST(HttpRequest.BodyPublishers.ofString(params)).build();
        response = http.sendAsync(req, HttpResponse.BodyHandlers.ofLines());
        h2 = null;
        reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** The same over a stream of {@code http}'s HTTP/2 connection, its lines read on the client's event loop. */
    SseClient(H2cClient http, String path, String params) {
        response = null;
        reader = null;
        h2 = http.stream("POST", path, params.getBytes(java.nio.charset.StandardCharsets.UTF_8), this::bytes,
                "Content-Type", "application/alto-updatestreamparams+json");
        h2.answer().whenComplete((a, e) -> {
            if (a != null && a.status() != 200) {
                events.add(new Event("status", String.valueOf(a.status())));
            }
            events.add(new Event("closed", e == null ? "end of stream" : String.valueOf(e)));
        });
    }

    /** Bytes of an HTTP/2 stream: each line ended at LF, CR or CRLF (the LF of a CRLF ends nothing more). */
    private void bytes(byte[] b) {
        for (byte c : b) {
            if ((c == '\n' && !afterCr) || c == '\r') {
                line(partial.toString(java.nio.charset.StandardCharsets.UTF_8));
                partial.reset();
            } else if (c != '\n') {
                partial.write(c);
            }
            afterCr = c == '\r';
        }
    }

    private void read() {
        try {
            HttpResponse<Stream<String>> r = response.get(10, TimeUnit.SECONDS);
            if (r.statusCode() != 200) {
                events.add(new Event("status", String.valueOf(r.statusCode())));
            }
            for (Iterator<String> it = r.body().iterator(); it.hasNext(); ) {
                line(it.next());
            }
        } catch (Exception e) {
            events.add(new Event("closed", String.valueOf(e)));
        }
        events.add(new Event("closed", "end of stream"));
    }

    private void line(String line) {
        if (line.isEmpty()) {
            if (data != null) {
                events.add(new Event(type == null ? "message" : type, data.toString()));
            }
            type = null;
            data = null;
        } else if (line.startsWith("event:")) {
            type = line.substring(6).stripLeading();
        } else if (line.startsWith("data:")) {
            String v = line.substring(5);
            v = v.startsWith(" ") ? v.substring(1) : v;
            data = data == null ? new StringBuilder(v) : data.append('\n').append(v);
        }
    }

    /** The next event, failing after {@code max}. */
    Event next(Duration max) throws InterruptedException {
        Event e = events.poll(max.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + max);
        }
        return e;
    }

    /** The next event of {@code type}, skipping others, failing after {@code max}. */
    Event next(String type, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + type + " event within " + max);
            }
            if (e.type().equals(type)) {
                return e;
            }
        }
    }

    @Override
    public void close() {
        if (h2 != null) {
            h2.cancel();
            return;
        }
        response.cancel(true);
        response.thenAccept(r -> r.body().close());
        reader.interrupt();
    }
}
