package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.Verdict;

/**
 * Checks signed responses with the product's {@link ResponseVerifier} without verifying the same
 * bytes a million times.
 *
 * <p>What it does, precisely: the first response with a given (path, {@code Signature-Input},
 * {@code Signature}) is verified in full (signature, digest over the body, resource, expiry). Its
 * covered header values and its body are kept. Every later response with the same key is
 * <em>checked</em> against that: the same {@code content-type}, {@code content-digest}, {@code etag}
 * and {@code alto-resource} values, the same {@code content-encoding} (not signed, but the verifier
 * refuses a coding that disagrees with the bytes; absent and {@code identity} are the same, case
 * and surrounding space are ignored), the same body bytes (compared byte for byte, which is
 * stronger than re-hashing), and {@code expires} still in the future. If anything differs it is verified in
 * full on its own, so a tampered copy never inherits a good verdict. Each response is counted as
 * checked; {@link #fullVerifications()} says how many cryptographic verifications that took.
 *
 * <p>Thread-safe; called on the client's event loops. Two loops may race to verify the same new
 * representation; both then verify, which costs a little and is harmless.
 */
final class VerdictCache {
    private static final String[] COVERED = {"content-type", "content-digest", "etag", "alto-resource"};
    private static final int MAX_ENTRIES = 100_000;

    private final ResponseVerifier verifier;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongAdder full = new LongAdder();

    private record Entry(Verdict verdict, String[] covered, ByteBuf body) {
    }

    VerdictCache(ResponseVerifier verifier, Clock clock) {
        this.verifier = requireNonNull(verifier, "verifier");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * @param path   the path and query asked for (what {@code alto-resource} must name)
     * @param header lower-case field name to value (a 304's fields first, then the held response's)
     * @param body   the body the headers describe (a held body for a 304); not released here
     */
    Verdict check(String path, Function<String, String> header, ByteBuf body) {
        String input = header.apply("signature-input");
        String signature = header.apply("signature");
        if (input == null || signature == null) {
            return verifyFully(path, header, body);
        }
        String key = path + '\n' + input + '\n' + signature;
        String[] covered = covered(header);
        Entry e = entries.get(key);
        if (e != null && Arrays.equals(e.covered, covered) && e.body.readableBytes() == body.readableBytes()
                && ByteBufUtil.equals(e.body, 0, body, body.readerIndex(), body.readableBytes())) {
            return KeptVerdicts.asOf(e.verdict, clock.instant());
        }
        Verdict v = verifyFully(path, header, body);
        if (e == null && entries.size() < MAX_ENTRIES) {
            byte[] copy = ByteBufUtil.getBytes(body);
            entries.putIfAbsent(key, new Entry(v, covered, Unpooled.wrappedBuffer(copy)));
        }
        return v;
    }

    /** Cryptographic verifications run so far (one per distinct representation, plus races and mismatches). */
    long fullVerifications() {
        return full.sum();
    }

    private Verdict verifyFully(String path, Function<String, String> header, ByteBuf body) {
        full.increment();
        byte[] bytes = ByteBufUtil.getBytes(body);
        return verifier.verify(header, bytes, new Expectation(path, null));
    }

    /** The covered fields' values, then the normal form of {@code content-encoding}. */
    private static String[] covered(Function<String, String> header) {
        String[] out = new String[COVERED.length + 1];
        for (int i = 0; i < COVERED.length; i++) {
            out[i] = header.apply(COVERED[i]);
        }
        out[COVERED.length] = coding(header.apply("content-encoding"));
        return out;
    }

    /** {@code Content-Encoding} as the verifier reads it: absent, empty and {@code identity} alike. */
    static String coding(String contentEncoding) {
        String c = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        return c.equals("identity") ? "" : c;
    }
}
