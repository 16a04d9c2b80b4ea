package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.store.Representation;

/**
 * One streamed document at the publisher: its current signed representation and what is worth
 * keeping to send it cheaply: the encoded {@code data:} lines of the body and of its signature
 * event (made once, shared by every subscriber), the last few versions' bodies, and the merge
 * patches from them to the current one (made on first need, kept until the next version). A
 * subscriber holding one of those versions gets a single patch, which is the patch chain folded
 * into one; one holding anything older gets the full document.
 *
 * <p>Confined to the publisher's thread.
 */
final class Track {

    /** Versions kept to patch from. */
    static final int HISTORY = 4;

    /** What an incoming representation was, compared with the current one. */
    enum Change { NEW_VERSION, RENEWAL, SAME }

    final String target;
    private final Map<String, Bytes> history = new LinkedHashMap<>();
    private final Map<String, Optional<Bytes>> patches = new HashMap<>();
    private Representation current;
    private String resourceId;
    private String mediaType;
    private Bytes bodyLines;
    private Bytes signatureLines;
    private long signatureVersion;

    Track(String target) {
        this.target = requireNonNull(target, "target");
    }

    /** Takes {@code r} as the current representation and says what changed. */
    Change update(Representation r) {
        requireNonNull(r, "r");
        Representation before = current;
        Change change;
        if (before == null || !before.identity().etag().equals(r.identity().etag())) {
            change = Change.NEW_VERSION;
            if (before != null) {
                history.remove(before.identity().etag());
                history.put(before.identity().etag(), before.identity().body());
                while (history.size() > HISTORY) {
                    history.remove(history.keySet().iterator().next());
                }
            }
            history.remove(r.identity().etag());
            patches.clear();
            bodyLines = null;
            resourceId = AltoResource.parse(r.identity().header("alto-resource").orElseThrow()).id();
            mediaType = r.identity().header("content-type").orElse(MediaTypes.XML);
        } else if (SignatureEvent.of(before).equals(SignatureEvent.of(r))) {
            return Change.SAME;
        } else {
            change = Change.RENEWAL;
        }
        current = r;
        signatureLines = null;
        signatureVersion++;
        return change;
    }

    String etag() {
        return current.identity().etag();
    }

    String resourceId() {
        return resourceId;
    }

    String mediaType() {
        return mediaType;
    }

    boolean json() {
        return mediaType.endsWith("+json") || mediaType.endsWith("/json");
    }

    long signatureVersion() {
        return signatureVersion;
    }

    Representation current() {
        return current;
    }

    /** True when the body can travel as SSE data lines. */
    boolean travels() {
        return Sse.travels(current.identity().body());
    }

    Bytes bodyLines() {
        if (bodyLines == null) {
            bodyLines = Sse.dataLines(current.identity().body());
        }
        return bodyLines;
    }

    Bytes signatureLines() {
        if (signatureLines == null) {
            signatureLines = Sse.dataLines(SignatureEvent.of(current).toJson());
        }
        return signatureLines;
    }

    /**
     * The data lines of a merge patch from the version tagged {@code etag} to the current one, or
     * null when there is none worth sending: not JSON, version not kept, not expressible, or not
     * smaller than the full document.
     */
    Bytes patchLinesFrom(String etag) {
        if (etag == null || !json() || !history.containsKey(etag)) {
            return null;
        }
        return patches.computeIfAbsent(etag, this::makePatch).orElse(null);
    }

    private Optional<Bytes> makePatch(String etag) {
        try {
            JsonNode from = Jcs.parse(history.get(etag).unsafeArray());
            JsonNode to = Jcs.parse(current.identity().body().unsafeArray());
            JsonNode patch = MergePatch.diff(from, to);
            if (patch == null) {
                return Optional.empty();
            }
            byte[] bytes = Jcs.canonicalize(patch);
            if (bytes.length >= current.identity().body().length()) {
                return Optional.empty();
            }
            return Optional.of(Sse.dataLines(Bytes.wrap(bytes)));
        } catch (RuntimeException e) {
            // A body that is not JSON after all goes whole.
            return Optional.empty();
        }
    }
}
