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
 */
public final class ComputedAnswer {

    private ComputedAnswer() {
    }

    /**
     * A signed document an answer was computed from: its resource id, the path it is served at,
     * the entity tag of the version used and when that version's signature runs out.
     */
    public record Source(String id, String path, String etag, Instant expires) {
        public Source {
            requireNonNull(id, "id");
            requireNonNull(path, "path");
            requireNonNull(expires, "expires");
        }

        /** The source that {@code signed} is, as served at {@code path}. */
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
        for (Source s : sources) {
            String etag = s.etag();
            parts.add('"' + s.id() + "\";path=\"" + s.path() + "\";etag=\""
                    + (etag == null ? "" : etag.replace("\"", "")) + '"');
            if (s.expires().isBefore(expires)) {
                expires = s.expires();
            }
        }
        List<HeaderField> headers = new ArrayList<>(4 + added.size());
        headers.add(new HeaderField("content-type", contentType));
        headers.add(new HeaderField("content-digest", digest));
        String derivedFrom = String.join(", ", parts);
        // The tag covers the sources named too: a cache that kept fields across a 304 would
        // otherwise go on naming versions that have been re-signed away.
        headers.add(new HeaderField("etag", EntityTags.of(digest, derivedFrom)));
        headers.add(new HeaderField("alto-derived-from", derivedFrom));
        headers.addAll(added);
        Variant identity = new Variant(body, null, headers);
        return new Representation(identity, null, maxAge.toSeconds(), now, expires.equals(Instant.MAX) ? now.plus(maxAge) : expires);
    }
}
