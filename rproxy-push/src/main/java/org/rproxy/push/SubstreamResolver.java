package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MediaTypes;

/**
 * Binds the substreams a request adds to what they follow: a document held, by {@code path}; by
 * resource id, the full resource at the URI the held directory lists for it, held yet or not (a
 * pull proxy fetches it once followed), or, for an id the directory does not list (the directory
 * itself), a document held with that id, JSON preferred over the XML rendering sharing it; or,
 * for an entry with {@code input}, a query resource of the held directory ({@link QueryKey}), the
 * input in its normal form ({@link QueryInputs}). A substream is sent merge patches only for a
 * resource the directory's update stream entry advertises them for ({@link #patchesAdvertised}).
 * Refuses anything else with an RFC 7285 error naming the field ({@code add/<id>/resource-id}).
 *
 * <p>Confined to the publisher's thread; keeps the directory parsed until its version changes.
 */
final class SubstreamResolver {

    /** A substream to add, and the query it follows (null: a document). */
    record Bound(Substream substream, QueryKey query) {
        Bound {
            requireNonNull(substream, "substream");
        }
    }

    private final Map<String, Track> tracks;
    private String directoryVersion;
    private Directory directory;

    /** @param tracks the publisher's documents, by request target (read, never changed) */
    SubstreamResolver(Map<String, Track> tracks) {
        this.tracks = requireNonNull(tracks, "tracks");
    }

    List<Bound> resolve(StreamRequest req) {
        List<Bound> out = new ArrayList<>();
        req.add().forEach((id, add) -> {
            boolean patches = add.incremental() && patchesAdvertised(add.resourceId());
            if (add.input() != null) {
                QueryKey q = query(id, add);
                out.add(new Bound(new Substream(id, q.key(), patches, add.tag()), q));
            } else {
                out.add(new Bound(new Substream(id, target(id, add), patches, add.tag()), null));
            }
        });
        return out;
    }

    /**
     * Whether a substream of {@code resourceId} may be sent merge patches. RFC 8895 §6.3: the
     * update stream's directory entry lists in {@code incremental-change-media-types} the
     * resources it sends incremental changes for; any other gets full replacements only, even when
     * the client asks for incremental changes, since a client following the directory expects no
     * patch for it. Without a held directory naming an update stream there is nothing advertised
     * to follow, and patches go to every JSON document as before.
     */
    private boolean patchesAdvertised(String resourceId) {
        Directory d = directory();
        if (d == null) {
            return true;
        }
        for (InformationResource r : d.resources().values()) {
            if (MediaTypes.EVENT_STREAM.equals(r.mediaType())) {
                String types = r.incrementalChangeMediaTypes().get(resourceId);
                return types != null && Arrays.stream(types.split(",")).map(String::trim)
                        .anyMatch(MediaTypes.MERGE_PATCH::equals);
            }
        }
        return true;
    }

    private String target(String id, StreamRequest.Add add) {
        String p = "add/" + id;
        if (add.path() != null) {
            Track t = tracks.get(add.path());
            if (t == null && listedAt(add.resourceId(), add.path())) {
                // Listed by the directory but not held yet (a pull proxy fetches it once followed).
                return add.path();
            }
            if (t == null) {
                throw new AltoException(AltoError.invalidValue(p + "/path", add.path(), "no such document"));
            }
            if (!t.resourceId().equals(add.resourceId())) {
                throw new AltoException(AltoError.invalidValue(p + "/resource-id", add.resourceId(),
                        add.path() + " answers " + t.resourceId()));
            }
            return add.path();
        }
        Directory d = directory();
        InformationResource listed = d == null ? null : d.resources().get(add.resourceId());
        if (listed != null && !MediaTypes.EVENT_STREAM.equals(listed.mediaType())) {
            // The directory's own URI, held yet or not: never the XML rendering that shares the id.
            if (listed.accepts() != null) {
                throw new AltoException(AltoError.missingField(p + "/input"));
            }
            return pathOf(listed);
        }
        String xml = null;
        for (Track t : tracks.values()) {
            if (t.resourceId().equals(add.resourceId())) {
                if (t.json()) {
                    return t.target;
                }
                xml = t.target;
            }
        }
        if (xml != null) {
            return xml;
        }
        throw new AltoException(AltoError.invalidValue(p + "/resource-id", add.resourceId(),
                "not a resource this update stream offers"));
    }

    private QueryKey query(String id, StreamRequest.Add add) {
        InformationResource r = listed(id, add);
        if (r.accepts() == null || !json(r.mediaType())) {
            throw new AltoException(AltoError.invalidValue("add/" + id + "/input", null,
                    add.resourceId() + " takes no input; leave input out to follow the document"));
        }
        return new QueryKey(r.id(), pathOf(r), r.accepts(), r.mediaType(), QueryInputs.normal(r.accepts(), add.input()));
    }

    /** The directory's entry for the substream's resource id; refused when there is none. */
    private InformationResource listed(String id, StreamRequest.Add add) {
        Directory d = directory();
        InformationResource r = d == null ? null : d.resources().get(add.resourceId());
        if (r == null || MediaTypes.EVENT_STREAM.equals(r.mediaType())) {
            throw new AltoException(AltoError.invalidValue("add/" + id + "/resource-id", add.resourceId(),
                    "not a resource this update stream offers"));
        }
        return r;
    }

    /** The resources the held directory lists (0 when none is held): documents a substream may follow before they are held. */
    int listed() {
        Directory d = directory();
        return d == null ? 0 : d.resources().size();
    }

    /** True when the held directory lists {@code resourceId} as a full resource at {@code path}. */
    private boolean listedAt(String resourceId, String path) {
        Directory d = directory();
        InformationResource r = d == null ? null : d.resources().get(resourceId);
        return r != null && r.accepts() == null && !MediaTypes.EVENT_STREAM.equals(r.mediaType())
                && pathOf(r).equals(path);
    }

    /** The held JSON directory, parsed once per version; null when none is held. */
    private Directory directory() {
        Track dir = null;
        for (Track t : tracks.values()) {
            if (MediaTypes.DIRECTORY.equals(t.mediaType())) {
                dir = t;
                break;
            }
        }
        if (dir == null) {
            return null;
        }
        if (!dir.versionId().equals(directoryVersion)) {
            directory = AltoJson.readDirectory(AltoJson.parse(dir.current().identity().body().unsafeArray()));
            directoryVersion = dir.versionId();
        }
        return directory;
    }

    /** The request target of {@code r} on this node: its URI's path and query (URIs may name the origin). */
    private static String pathOf(InformationResource r) {
        URI u = URI.create(r.uri());
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    }

    private static boolean json(String mediaType) {
        return mediaType.endsWith("+json") || mediaType.endsWith("/json");
    }
}
