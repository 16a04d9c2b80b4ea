package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.MergePatch;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.stream.Sse;
import org.rproxy.core.stream.Tags;

/**
 * One streamed document at the publisher (a signed document, or the unsigned answer of a
 * POST-mode substream's query): its current representation and what is worth keeping to send it
 * cheaply: the encoded {@code data:} lines of the body and of its signature event (made once,
 * shared by every subscriber), the last few versions' bodies, and the merge patches from them to
 * the current one (made on first need, kept until the next version). A subscriber holding one of
 * those versions gets a single patch, which is the patch chain folded into one; one holding
 * anything older gets the full document.
 *
 * <p>A version is its bytes, named by their content digest: a representation with the same
 * digest is a renewal (new signatures, and possibly a new entity tag, since an origin may give
 * every signing its own), never a new version; and one whose signatures sign what the current
 * ones sign ({@link SignatureEvent#sameSigningAs}: another encoding of the same signing, such as
 * an ECDSA signature's twin, which a feed may be handed and verifies) is the same, not sent
 * again to every subscriber. So the tag a client holds matches a version when
 * it is any entity tag that version was served with, or its ALTO {@code vtag} (RFC 7285 §10.3,
 * what an RFC 8895 client holds) unless another version kept has that vtag too.
 *
 * <p>Confined to the publisher's thread.
 */
final class Track {

    /** Versions kept to patch from. */
    static final int HISTORY = 4;
    /** Entity tags remembered per version (one per signing when tags change with the signature). */
    private static final int TAGS_PER_VERSION = 16;

    /** What an incoming representation was, compared with the current one. */
    enum Change { NEW_VERSION, RENEWAL, SAME }

    /** One version: its bytes, its digest, and the tags that name it. */
    private static final class Version {
        final String digest;
        final Bytes body;
        final String vtag;
        /** Whether the body can travel as event data ({@link Sse#travels}: no CR), looked at once. */
        final boolean travels;
        final Set<String> etags = new LinkedHashSet<>();

        Version(String digest, Bytes body, String vtag) {
            this.digest = digest;
            this.body = body;
            this.vtag = vtag;
            this.travels = Sse.travels(body);
        }

        void tag(String etag) {
            if (etag != null && etags.add(Tags.bare(etag)) && etags.size() > TAGS_PER_VERSION) {
                etags.remove(etags.iterator().next());
            }
        }
    }

    final String target;
    private final boolean signed;
    private final Map<String, Version> history = new LinkedHashMap<>();
    private final Map<String, Optional<Bytes>> patches = new HashMap<>();
    private Representation current;
    private Version version;
    private String resourceId;
    private String mediaType;
    private Bytes bodyLines;
    private Bytes signatureLines;
    private long signatureVersion;

    private Track(String target, boolean signed, String resourceId) {
        this.target = requireNonNull(target, "target");
        this.signed = signed;
        this.resourceId = resourceId;
    }

    /** A signed document served at {@code target}; its resource id comes from its {@code alto-resource}. */
    static Track document(String target) {
        return new Track(target, true, null);
    }

    /** The unsigned answer of query resource {@code resourceId}, streamed under {@code key}. */
    static Track answer(String key, String resourceId) {
        return new Track(key, false, requireNonNull(resourceId, "resourceId"));
    }

    /** True for what a document track takes: signed, tagged, and naming its resource. */
    static boolean streamable(Representation r) {
        return r.identity().signed() && r.identity().etag() != null
                && r.identity().header("alto-resource").isPresent();
    }

    /** Takes {@code r} as the current representation and says what changed. */
    Change update(Representation r) {
        requireNonNull(r, "r");
        Representation before = current;
        String digest = r.identity().header("content-digest")
                .orElseGet(() -> ContentDigest.sha256(r.identity().body().unsafeArray()));
        Change change;
        if (version == null || !version.digest.equals(digest)) {
            // what may throw is read first: a version refused leaves the track as it was, where its
            // bytes had replaced the held ones' under the held version's signature event
            String id = signed ? AltoResource.parse(r.identity().header("alto-resource").orElseThrow()).id() : resourceId;
            change = Change.NEW_VERSION;
            if (version != null) {
                history.remove(version.digest);
                history.put(version.digest, version);
                while (history.size() > HISTORY) {
                    history.remove(history.keySet().iterator().next());
                }
            }
            history.remove(digest);
            version = new Version(digest, r.identity().body(), Tags.vtag(r.identity().body()));
            patches.clear();
            bodyLines = null;
            resourceId = id;
            mediaType = r.identity().header("content-type").orElse(MediaTypes.XML);
        } else if (!signed || SignatureEvent.of(before).sameSigningAs(SignatureEvent.of(r))) {
            version.tag(r.identity().etag());
            return Change.SAME;
        } else {
            change = Change.RENEWAL;
        }
        version.tag(r.identity().etag());
        current = r;
        signatureLines = null;
        signatureVersion++;
        return change;
    }

    /** The current version's name (its identity content digest). */
    String versionId() {
        return version.digest;
    }

    /**
     * The version a client holding {@code tag} (an entity tag, quoted or not, or a vtag) holds, or
     * null: also when the tag is the vtag of more than one version kept (a maps folder that went
     * back to an earlier tag with other bytes), since the client may hold either; it is sent the
     * whole document, where taken for the current one it was sent a signature over other bytes.
     */
    String versionFor(String tag) {
        String bare = Tags.bare(tag);
        String found = null;
        for (Version v : kept()) {
            if (v.etags.contains(bare)) {
                return v.digest;
            }
            if (bare.equals(v.vtag)) {
                if (found != null) {
                    return null;
                }
                found = v.digest;
            }
        }
        return found;
    }

    /** The versions kept, the current one first. */
    private List<Version> kept() {
        List<Version> all = new ArrayList<>(history.size() + 1);
        all.add(version);
        all.addAll(history.values());
        return all;
    }

    boolean signed() {
        return signed;
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

    /** Bytes this track holds: the bodies of the current and kept versions, and what is encoded from them. */
    long heldBytes() {
        long n = bodyLines == null ? 0 : bodyLines.length();
        n += version == null ? 0 : version.body.length();
        for (Version v : history.values()) {
            n += v.body.length();
        }
        for (Optional<Bytes> p : patches.values()) {
            n += p.map(Bytes::length).orElse(0);
        }
        return n;
    }

    /**
     * True when the current version's bytes can travel as SSE data lines: none is a CR, which a
     * reader takes for a line end (WHATWG HTML §9.2.6), so that the bytes it joins would not be
     * the bytes signed. A version that cannot is never sent; its substreams are stopped.
     */
    boolean travels() {
        return version.travels;
    }

    Bytes bodyLines() {
        if (bodyLines == null) {
            bodyLines = Sse.dataLines(version.body);
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
     * The data lines of a merge patch from the version named {@code versionId} to the current
     * one, or null when there is none worth sending: not JSON, version not kept, not expressible,
     * or not smaller than the full document.
     */
    Bytes patchLinesFrom(String versionId) {
        if (versionId == null || !json() || !history.containsKey(versionId)) {
            return null;
        }
        return patches.computeIfAbsent(versionId, this::makePatch).orElse(null);
    }

    private Optional<Bytes> makePatch(String versionId) {
        try {
            JsonNode from = Jcs.parse(history.get(versionId).body.unsafeArray());
            JsonNode to = Jcs.parse(version.body.unsafeArray());
            JsonNode patch = MergePatch.diff(from, to);
            if (patch == null) {
                return Optional.empty();
            }
            byte[] bytes = Jcs.canonicalize(patch);
            if (bytes.length >= version.body.length()) {
                return Optional.empty();
            }
            return Optional.of(Sse.dataLines(Bytes.wrap(bytes)));
        } catch (RuntimeException e) {
            // A body that is not JSON after all goes whole.
            return Optional.empty();
        }
    }
}
