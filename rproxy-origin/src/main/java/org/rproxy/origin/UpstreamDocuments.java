package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rproxy.core.config.Durations;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.UpstreamClient;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * The signing front's reads from the unsigned server ({@link UnsignedUpstreamMaps}): one GET per
 * document, each body at most the size limit, and each document read again only when it changed.
 * A document is asked for with the ETag the server gave last time ({@code If-None-Match}); on a
 * 304, or when the bytes sent are those read last time (a server that gives no ETag), the map
 * read then is handed back, and the reader is not run. A round (one load, {@link #startRound} to
 * the last document) takes at most its time bound ({@link #withRoundTimeout}) in all, each request
 * at most the client's timeout: a server that stalls its answers costs a poll that bound, not a
 * request's timeout per map it lists. A request given up at the bound is cancelled: its
 * connection (one of the client's two) is closed and freed at once, not held until the client's
 * own timeout, so the next poll finds both. Blocking; the origin's
 * reader thread's ({@link SourcePolls}), never the publisher's.
 */
final class UpstreamDocuments implements AutoCloseable {
    private final UpstreamClient client;
    private final String authority;
    private final Duration timeout;
    private final long maxDocumentBytes;
    /** What each resource (id and URI) was read as last time. */
    private final Map<String, Held> held = new HashMap<>();
    /** The resources fetched since {@link #startRound}. */
    private final Set<String> fetched = new HashSet<>();
    /** The resources read anew (not 304, not the same bytes) since {@link #startRound}. */
    private final Set<String> readAnew = new HashSet<>();
    /** The bytes of the documents fetched since {@link #startRound}, those not read again included. */
    private long roundBytes;
    private long maxRoundBytes = Long.MAX_VALUE;
    private Duration roundTimeout = Duration.ofDays(1);
    /** When the round under way must end ({@link System#nanoTime}). */
    private long roundDeadline;

    /** A document as read: the server's ETag (or null), the hash of its bytes, its size, and the map read. */
    private record Held(String etag, String bytesTag, long size, Object map) {
    }

    private UpstreamDocuments(UpstreamClient client, String authority, Duration timeout, long maxDocumentBytes) {
        this.client = client;
        this.authority = authority;
        this.timeout = timeout;
        this.maxDocumentBytes = maxDocumentBytes;
    }

    /** At most {@code max} bytes of documents in one round, those not read again (304, same bytes) counted too. */
    UpstreamDocuments withMaxRoundBytes(long max) {
        this.maxRoundBytes = max;
        return this;
    }

    /**
     * At most {@code max} for one round, from {@link #startRound} to the last answer; a request
     * still unanswered then fails the round.
     */
    UpstreamDocuments withRoundTimeout(Duration max) {
        if (max.isNegative() || max.isZero()) {
            throw new IllegalArgumentException("roundTimeout: " + max + " (expected: > 0)");
        }
        this.roundTimeout = max;
        return this;
    }

    /** A client of the server of {@code url}; see {@link UnsignedUpstreamMaps#connect(URI, Path, Duration, long)}. */
    static UpstreamDocuments connect(URI url, Path ca, Duration timeout, long maxDocumentBytes) {
        requireNonNull(timeout, "timeout");
        if (maxDocumentBytes < 1) {
            throw new IllegalArgumentException("maxDocumentBytes: " + maxDocumentBytes + " (expected: >= 1)");
        }
        int max = (int) Math.min(maxDocumentBytes, Integer.MAX_VALUE - 8);
        UpstreamClient client = UpstreamClient.start(UpstreamClient.Settings.of(url, ca, 2, timeout, max));
        return new UpstreamDocuments(client, url.getAuthority(), timeout, max);
    }

    /** A map fetched, and whether it differs from the one read last time. */
    record Fetched<T>(T map, boolean changed) {
    }

    /** Reads a document's bytes, given the hash of them ({@link #bytesTag}); throws {@link AltoException} for a bad one. */
    interface Reader<T> {
        T read(byte[] body, String bytesTag);
    }

    /**
     * The map at {@code uri}: the one read last time when the server answers 304 to the ETag it
     * gave, or sends the same bytes; else {@code reader}'s.
     */
    <T> Fetched<T> fetch(String id, URI uri, Reader<T> reader) throws IOException {
        return fetch(id, uri, Long.MAX_VALUE, null, reader);
    }

    /**
     * As {@link #fetch(String, URI, Reader)}; a body of more than {@code maxBytes} is refused
     * before it is read, naming {@code limit} (the option), and so is the document that takes
     * the round past its limit ({@link #withMaxRoundBytes}): then the documents this round read
     * anew are let go, so that a refused round holds no more than the maps served.
     */
    @SuppressWarnings("unchecked")
    <T> Fetched<T> fetch(String id, URI uri, long maxBytes, String limit, Reader<T> reader) throws IOException {
        String key = id + " " + uri;
        fetched.add(key);
        Held before = held.get(key);
        UpstreamResponse r = get(uri, before == null ? null : before.etag());
        if (r.status() == 304 && before != null && before.etag() != null) {
            counted(uri, before.size());
            return new Fetched<>((T) before.map(), false);
        }
        byte[] body = ok(uri, r);
        counted(uri, body.length);
        if (body.length > maxBytes) {
            throw new IOException(uri + " (" + id + "): " + body.length + " bytes, over the limit of " + maxBytes
                    + " bytes" + (limit == null ? "" : " (" + limit + ")"));
        }
        String bytesTag = bytesTag(body);
        if (before != null && before.bytesTag().equals(bytesTag)) {
            held.put(key, new Held(r.header("etag"), bytesTag, body.length, before.map()));
            return new Fetched<>((T) before.map(), false);
        }
        T map = decode(uri, id, body, bytesTag, reader);
        held.put(key, new Held(r.header("etag"), bytesTag, body.length, map));
        readAnew.add(key);
        return new Fetched<>(map, true);
    }

    /** Adds a document's bytes to the round's; past the limit, the round is refused and what it read anew let go. */
    private void counted(URI uri, long size) throws IOException {
        roundBytes += size;
        if (roundBytes > maxRoundBytes) {
            held.keySet().removeAll(readAnew);
            readAnew.clear();
            throw new IOException(authority + ": more than " + maxRoundBytes + " bytes of maps in one read (at "
                    + uri + "), over the limit of " + maxRoundBytes + " bytes (--max-maps-total-size)");
        }
    }

    /** A load begins: what it does not fetch is forgotten at {@link #endRound}. */
    void startRound() {
        fetched.clear();
        readAnew.clear();
        roundBytes = 0;
        roundDeadline = System.nanoTime() + roundTimeout.toNanos();
    }

    /** A load succeeded: the maps of resources it did not fetch (no longer listed) are let go. */
    void endRound() {
        held.keySet().retainAll(fetched);
    }

    /** The document at {@code uri} read by {@code reader}, whatever was read before (for the directory: small, and it says what else to read). */
    <T> T read(URI uri, String what, Reader<T> reader) throws IOException {
        UpstreamResponse r = get(uri, null);
        if (r.status() == 404 || r.status() == 410) {
            // Most often a --sign-upstream URL without the directory's path: say what it must name.
            throw new IOException("GET " + uri + ": status " + r.status() + " (expected the unsigned server's " + what
                    + " there: --sign-upstream names it, path included, e.g. http://alto-server:8080/directory)");
        }
        byte[] body = ok(uri, r);
        return decode(uri, what, body, null, reader);
    }

    private static byte[] ok(URI uri, UpstreamResponse r) throws IOException {
        if (r.status() != 200) {
            throw new IOException("GET " + uri + ": status " + r.status());
        }
        return r.body().unsafeArray();
    }

    /** {@code reader}'s result for {@code body}; a bad document is an {@link IOException} naming it and the field. */
    private static <T> T decode(URI uri, String what, byte[] body, String bytesTag, Reader<T> reader)
            throws IOException {
        try {
            return reader.read(body, bytesTag);
        } catch (AltoException e) {
            String field = e.error().field();
            throw new IOException(uri + " (" + what + "): " + (field == null || e.error().message().startsWith(field)
                    ? "" : field + ": ") + e.error().message(), e);
        }
    }

    /** GET {@code uri} (with {@code If-None-Match: etag} when one is given). */
    private UpstreamResponse get(URI uri, String etag) throws IOException {
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        List<HeaderField> headers = new ArrayList<>(List.of(new HeaderField("accept-encoding", "identity"),
                new HeaderField("user-agent", "rproxy signing front")));
        if (etag != null) {
            headers.add(new HeaderField("if-none-match", etag));
        }
        long left = roundDeadline - System.nanoTime();
        if (left <= 0) {
            throw roundTooLong(target, null);
        }
        long wait = TimeUnit.MILLISECONDS.toNanos(timeout.toMillis() + 1000);
        CompletableFuture<UpstreamResponse> sent = client.send(UpstreamRequest.get(target, headers));
        try {
            return sent.get(Math.min(wait, left), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            sent.cancel(false); // the reader is being closed
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            String why = String.valueOf(e.getCause().getMessage());
            throw new IOException("GET " + target + " from " + authority + ": " + why
                    + (why.toLowerCase(Locale.ROOT).contains("too large")
                    ? " (over the limit of " + maxDocumentBytes + " bytes for one document)" : ""), e.getCause());
        } catch (TimeoutException e) {
            // given up: its connection is closed and freed now, not when the client's timeout ends it
            sent.cancel(false);
            if (left < wait) {
                throw roundTooLong(target, e);
            }
            throw new IOException("GET " + target + " from " + authority + ": no answer", e);
        }
    }

    private IOException roundTooLong(String target, Throwable cause) {
        return new IOException(authority + ": reading the maps took longer than " + Durations.format(roundTimeout)
                + " (at GET " + target + "), the bound of one poll; given up until the next", cause);
    }

    /** 32 hex digits of SHA-256 over the bytes as received: other bytes, another tag. */
    static String bytesTag(byte[] body) {
        return HexFormat.of().formatHex(ContentDigest.sha256Raw(body), 0, 16);
    }

    @Override
    public void close() {
        client.close();
    }
}
