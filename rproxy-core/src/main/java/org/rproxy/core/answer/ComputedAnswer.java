package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.EntityTags;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * Builds the representation of a computed answer (a cost row, a ranking, a lookup, a filtered
 * map). It is not origin-signed and says so: no {@code Signature}, and an
 * {@code Alto-Derived-From} header naming the signed documents it was computed from, each with
 * its path and entity tag, so a client that needs proof knows what to fetch and verify.
 * Its validity is that of the youngest-expiring source.
 *
 * <p>Its age is that of its oldest source copy (RFC 9111 §4.2.3: freshness counts from when the
 * information was generated or last validated at the origin). At the origin, whose documents
 * have no age, an answer has none and goes out without {@code Age}. At a proxy the maps it holds
 * were validated upstream some time ago: the answer's {@code created} is then when its oldest
 * source copy was, and it goes out with the {@code Age} counted from then ({@link KeptAnswer}), so a
 * cache in front keeps it fresh no longer than the map it came from.
 */
public final class ComputedAnswer {
    private static final String AGE = "age";

    private ComputedAnswer() {
    }

    /**
     * A signed document an answer was computed from: its resource id, the path it is served at,
     * the entity tag of the version used, when that version's signature runs out, and when the
     * copy used was generated or last validated at the origin as this node reckons it (the
     * instant its {@code Age} counts from: its response time less its corrected initial age), or
     * null for the origin's own document, which has no age; and whether caches must revalidate the
     * copy once stale, as the response it came in said ({@link Representation#revalidation}).
     */
    public record Source(String id, String path, String etag, Instant expires, Instant validated,
                         Representation.Revalidation revalidation) {
        public Source {
            requireNonNull(id, "id");
            requireNonNull(path, "path");
            requireNonNull(expires, "expires");
            requireNonNull(revalidation, "revalidation");
        }

        /** A source that caches may serve stale within its windows. */
        public Source(String id, String path, String etag, Instant expires, Instant validated) {
            this(id, path, etag, expires, validated, Representation.Revalidation.NONE);
        }

        /** A source of no age: the origin's own document. */
        public Source(String id, String path, String etag, Instant expires) {
            this(id, path, etag, expires, null);
        }

        /** The source that {@code signed} is, as served at {@code path}: the origin's own. */
        public static Source of(String id, String path, Representation signed) {
            return new Source(id, path, signed.identity().etag(), signed.expires());
        }
    }

    /** @param added header fields added after the standard ones (a proxy's {@code Via}), possibly empty */
    static Representation of(String contentType, Bytes body, List<Source> sources, Duration maxAge, Instant now,
                             List<HeaderField> added) {
        String digest = ContentDigest.sha256(body.unsafeArray());
        List<String> parts = new ArrayList<>();
        Instant expires = Instant.MAX;
        Instant validated = null;
        Representation.Revalidation revalidation = Representation.Revalidation.NONE;
        for (Source s : sources) {
            revalidation = revalidation.strictest(s.revalidation());
            String etag = s.etag();
            parts.add('"' + s.id() + "\";path=\"" + s.path() + "\";etag=\""
                    + (etag == null ? "" : etag.replace("\"", "")) + '"');
            if (s.expires().isBefore(expires)) {
                expires = s.expires();
            }
            if (s.validated() != null && (validated == null || s.validated().isBefore(validated))) {
                validated = s.validated();
            }
        }
        List<HeaderField> headers = new ArrayList<>(5 + added.size());
        headers.add(new HeaderField("content-type", contentType));
        headers.add(new HeaderField("content-digest", digest));
        String derivedFrom = String.join(", ", parts);
        // The tag covers the sources named too: a cache that kept fields across a 304 would
        // otherwise go on naming versions that have been re-signed away.
        headers.add(new HeaderField("etag", EntityTags.of(digest, derivedFrom)));
        headers.add(new HeaderField("alto-derived-from", derivedFrom));
        headers.addAll(added);
        if (validated != null) {
            headers.add(new HeaderField(AGE, Long.toString(ageAt(validated, now))));
        }
        Variant identity = new Variant(body, null, headers);
        // What caches must revalidate once stale, an answer from it must be too: served stale,
        // it would stand for a copy that may not be.
        return new Representation(identity, null, maxAge.toSeconds(), validated != null ? validated : now,
                expires.equals(Instant.MAX) ? now.plus(maxAge) : expires, revalidation);
    }

    /**
     * {@code answer}, computed at a proxy, as it goes out {@code age} seconds after its
     * {@code created}: with that {@code Age} (RFC 9111 §5.1) in place of the one it had.
     */
    static Representation withAge(Representation answer, long age) {
        return new Representation(answer.identity().withAge(age), answer.gzip() == null ? null : answer.gzip().withAge(age),
                answer.maxAgeSeconds(), answer.created(), answer.expires(), answer.revalidation());
    }

    /** Whole seconds from {@code validated} to {@code now}, never negative. */
    static long ageAt(Instant validated, Instant now) {
        return Math.max(0, Duration.between(validated, now).getSeconds());
    }
}
