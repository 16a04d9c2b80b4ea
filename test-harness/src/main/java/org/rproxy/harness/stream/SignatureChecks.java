package org.rproxy.harness.stream;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.stream.StreamFollower;
import org.rproxy.harness.load.KeptVerdicts;

/**
 * Verifies the updates that thousands of subscribers apply without verifying the same signature
 * thousands of times. What each call does, precisely: it digests the caller's own rebuilt bytes
 * and compares them with the signed {@code content-digest} (so every subscriber proves that the
 * bytes it holds are the signed ones); what is shared is the check of the signature over the
 * covered fields, keyed by the path asked for, {@code signature-input}, {@code signature} and
 * every covered value ({@code content-type}, {@code content-digest}, {@code etag},
 * {@code alto-resource}). The first caller with a key runs the product's {@link ResponseVerifier}
 * in full (signature, digest, resource, time) on its bytes; later callers with the same key reuse
 * that verdict, with the expiry checked again against the clock. A tampered field or signature
 * makes a new key and is verified in full on its own.
 *
 * <p>Thread-safe; called on the subscribers' event loops. Two loops may race to verify the same
 * new signature; both then verify, which is harmless.
 */
final class SignatureChecks {
    private static final String[] COVERED = {"content-type", "content-digest", "etag", "alto-resource"};
    private static final int MAX_ENTRIES = 10_000;

    private final ResponseVerifier verifier;
    private final Clock clock;
    private final ConcurrentHashMap<String, Verdict> verdicts = new ConcurrentHashMap<>();
    private final LongAdder full = new LongAdder();
    private final LongAdder digests = new LongAdder();

    SignatureChecks(ResponseVerifier verifier, Clock clock) {
        this.verifier = requireNonNull(verifier, "verifier");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * @param path   the path of the document the substream carries (what {@code alto-resource} must name)
     * @param fields the update's signed fields
     * @param body   the bytes the subscriber rebuilt
     * @return the verdict, or null when the bytes do not match the signed digest
     */
    Verdict check(String path, StreamFollower.FieldLookup fields, byte[] body) {
        String digest = fields.get("content-digest");
        digests.increment();
        if (digest == null || !ContentDigest.matches(digest, body)) {
            return null;
        }
        StringBuilder key = new StringBuilder(512).append(path).append('\n')
                .append(fields.get("signature-input")).append('\n').append(fields.get("signature"));
        for (String name : COVERED) {
            key.append('\n').append(fields.get(name));
        }
        String k = key.toString();
        Verdict v = verdicts.get(k);
        if (v == null) {
            full.increment();
            v = verifier.verify(fields::get, body, new ResponseVerifier.Expectation(path, null));
            if (verdicts.size() < MAX_ENTRIES) {
                verdicts.putIfAbsent(k, v);
            }
            return v;
        }
        return KeptVerdicts.asOf(v, clock.instant());
    }

    /** Signatures verified cryptographically (one per distinct update, plus races). */
    long fullVerifications() {
        return full.sum();
    }

    /** Updates whose bytes were digested, one per subscriber per update. */
    long digestChecks() {
        return digests.sum();
    }
}
