package org.rproxy.pull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.upstream.Upstream;
import org.rproxy.core.upstream.UpstreamException;
import org.rproxy.core.upstream.UpstreamRequest;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * An in-memory upstream answering like the origin's front end (variant by Accept-Encoding, 304 on
 * a matching If-None-Match with the current signature headers, max-age and the stale windows),
 * with switches for the failures the feed must survive. Counts requests per target and encoding.
 */
final class FakeUpstream implements Upstream {
    final Map<String, Representation> docs = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    final List<UpstreamRequest> log = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Clock clock;
    volatile boolean down;
    /** With {@link #down}: how the upstream failed (refused by default). */
    volatile UpstreamException.Kind downAs = UpstreamException.Kind.UNREACHABLE;
    volatile int failStatus;
    volatile UnaryOperator<UpstreamResponse> tamper = UnaryOperator.identity();
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile UpstreamResponse fixed;
    /** Requests for this target are answered as things stand when asked, the answer held back until {@link #delivered}. */
    volatile String delayed;
    volatile CompletableFuture<Void> delivered = CompletableFuture.completedFuture(null);

    FakeUpstream(Clock clock) {
        this.clock = clock;
    }

    int count(String target, String encoding) {
        AtomicInteger n = requests.get(target + " " + encoding);
        return n == null ? 0 : n.get();
    }

    int total() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest r) {
        String enc = header(r, "accept-encoding");
        requests.computeIfAbsent(r.target() + " " + enc, k -> new AtomicInteger()).incrementAndGet();
        log.add(r);
        CompletableFuture<UpstreamResponse> a = gate.thenApply(v -> answer(r, enc));
        return r.target().equals(delayed) ? a.thenCombine(delivered, (answer, v) -> answer) : a;
    }

    private UpstreamResponse answer(UpstreamRequest r, String enc) {
        if (down) {
            throw new UpstreamException(downAs == UpstreamException.Kind.BUSY ? "all 8 connections stayed busy"
                    : downAs == UpstreamException.Kind.TIMED_OUT ? "no answer within 10000 ms" : "connection refused",
                    null, downAs);
        }
        if (failStatus != 0) {
            return new UpstreamResponse(failStatus, List.of(), Bytes.empty());
        }
        if (fixed != null) {
            return tamper.apply(fixed);
        }
        Representation rep = docs.get(r.target());
        if (rep == null) {
            return new UpstreamResponse(404, List.of(new HeaderField("content-type", "application/alto-error+json")),
                    Bytes.utf8("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\",\"field\":\"uri\",\"message\":\"no such resource\"}}"));
        }
        Variant v = rep.select("gzip".equals(enc));
        String inm = header(r, "if-none-match");
        boolean notModified = inm != null && inm.equals(v.etag()) && r.method().equals("GET");
        List<HeaderField> h = new ArrayList<>(v.headers());
        Instant now = clock.instant();
        h.add(new HeaderField("cache-control", "max-age=" + rep.maxAgeAt(now) + ", no-transform, stale-while-revalidate="
                + rep.staleWhileRevalidateAt(now) + ", stale-if-error=" + rep.staleIfErrorAt(now)));
        h.add(new HeaderField("vary", "Accept-Encoding"));
        return tamper.apply(new UpstreamResponse(notModified ? 304 : 200, h, notModified ? Bytes.empty() : v.body()));
    }

    private static String header(UpstreamRequest r, String name) {
        for (HeaderField h : r.headers()) {
            if (h.name().equals(name)) {
                return h.value();
            }
        }
        return null;
    }
}
