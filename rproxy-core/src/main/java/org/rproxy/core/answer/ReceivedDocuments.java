package org.rproxy.core.answer;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signed documents a proxy holds, read into maps: the directory, the full network and cost
 * maps it lists, and the seed dialect's XML documents when their bytes are exactly the rendering
 * of those maps (so an XML answer can name them). A cost map is kept only when its
 * {@code dependent-vtags} names the version of its network map that is held, so answers never
 * mix versions (RFC 7285 §11.2.3.6). Each document is parsed once per content: what a previous
 * reading parsed from the same bytes (same {@code content-digest}) is reused. Not by entity tag:
 * the origin gives every re-signing a new one, and re-parsing a 60 MB cost map for a new
 * signature over the same bytes would be waste. Built on a worker thread; immutable.
 */
final class ReceivedDocuments {
    private static final Logger LOG = LoggerFactory.getLogger(ReceivedDocuments.class);
    static final String DIRECTORY = ResourcePaths.DIRECTORY_PATH;
    static final ReceivedDocuments NONE = new ReceivedDocuments(null, Map.of(), Map.of(), Map.of(), Map.of(), false,
            Set.of());

    /**
     * The version of a held signed document that answers name, how long it may be used, and when
     * the copy held was generated or last validated upstream (null: a copy of no age), and whether
     * caches must revalidate it once stale.
     */
    record Ref(String etag, Instant expires, long maxAgeSeconds, Instant validated,
               Representation.Revalidation revalidation) {
        static Ref of(Representation r, Instant validated) {
            return new Ref(r.identity().etag(), r.expires(), r.maxAgeSeconds(), validated, r.revalidation());
        }
    }

    /** What a document of one content digest was read into (a model, or whether an XML document is backed). */
    private record Parsed(String digest, Object value) {
    }

    final Directory directory;
    final Map<String, NetworkMap> networkMaps;
    final Map<String, CostMap> costMaps;
    /** Request target of each signed document answers may name, to its version. */
    final Map<String, Ref> refs;
    /**
     * True when a seed dialect document is held (of whichever version): the upstream serves that
     * dialect, so its query paths are certain even while an answer's own XML source is being renewed.
     */
    final boolean seed;
    /**
     * Request targets of the held maps that do not fit a map held beside them and were signed before
     * it: a cost map whose {@code dependent-vtags} names an older version of the network map held,
     * or a network map older than the version a held cost map names. A document that names a
     * version is signed after that version exists, so of two maps that do not fit the one signed
     * first is the stale one. Empty when the held maps fit.
     */
    final Set<String> behind;
    private final Map<String, Parsed> parsed;

    private ReceivedDocuments(Directory directory, Map<String, NetworkMap> networkMaps, Map<String, CostMap> costMaps,
                          Map<String, Ref> refs, Map<String, Parsed> parsed, boolean seed, Set<String> behind) {
        this.directory = directory;
        this.networkMaps = Map.copyOf(networkMaps);
        this.costMaps = Map.copyOf(costMaps);
        this.refs = Map.copyOf(refs);
        this.parsed = Map.copyOf(parsed);
        this.seed = seed;
        this.behind = Set.copyOf(behind);
    }

    /**
     * Reads what {@code held} holds now.
     *
     * @param held      the signed, verified, unexpired representation held for a GET target, or null
     * @param validated when the copy held for a GET target was generated or last validated
     *                  upstream, as the node reckons it (where its {@code Age} counts from), or
     *                  null when it has no age
     * @param previous  the last reading, whose parses are reused
     */
    static ReceivedDocuments read(Function<String, Representation> held, Function<String, Instant> validated,
                                  ReceivedDocuments previous, XmlCodec xml) {
        requireNonNull(held, "held");
        requireNonNull(validated, "validated");
        requireNonNull(previous, "previous");
        Reader r = new Reader(held, validated, previous);
        Directory dir = r.parse(DIRECTORY, b -> AltoJson.readDirectory(AltoJson.parse(b)));
        if (dir == null) {
            return NONE;
        }
        Map<String, NetworkMap> nets = new TreeMap<>();
        Map<String, CostMap> costs = new TreeMap<>();
        for (InformationResource res : dir.resources().values()) {
            if (res.accepts() != null || !res.uri().startsWith("/")) {
                continue;
            }
            if (res.mediaType().equals(MediaTypes.NETWORK_MAP)) {
                NetworkMap m = r.parse(res.uri(), b -> AltoJson.readNetworkMap(AltoJson.parse(b), null));
                if (m != null && m.vtag().resourceId().equals(res.id())) {
                    nets.put(res.id(), m);
                    r.refer(res.uri());
                }
            } else if (res.mediaType().equals(MediaTypes.COST_MAP)) {
                CostMap c = r.parse(res.uri(), b -> AltoJson.readCostMap(b, null));
                if (c != null && c.vtag().resourceId().equals(res.id())) {
                    costs.put(res.id(), c);
                }
            }
        }
        Set<String> behind = new TreeSet<>();
        costs.values().removeIf(c -> {
            NetworkMap on = nets.get(c.dependentVtag().resourceId());
            if (on == null) {
                return true;
            }
            if (on.vtag().equals(c.dependentVtag())) {
                return false;
            }
            r.earlier(dir.resources().get(c.vtag().resourceId()).uri(), dir.resources().get(on.vtag().resourceId()).uri())
                    .ifPresent(behind::add);
            return true;
        });
        costs.keySet().forEach(id -> r.refer(dir.resources().get(id).uri()));
        String def = dir.defaultNetworkMap();
        if (def != null && nets.containsKey(def)) {
            r.backXml(ResourcePaths.XML_NETWORK_MAP_PATH, dir.resources().get(def).uri(), () -> xml.renderNetworkMap(nets.get(def)));
            MapSet maps = new MapSet(nets, costs, Map.of(), def);
            maps.costMaps().values().stream().map(c -> c.costType().metric()).distinct().forEach(metric -> {
                CostMap c = maps.costMap(def, metric).orElseThrow();
                r.backXml(ResourcePaths.XML_COST_MAP_PATH + "?type=" + metric, dir.resources().get(c.vtag().resourceId()).uri(),
                        () -> xml.renderCostMap(c));
            });
        }
        return new ReceivedDocuments(dir, nets, costs, r.refs, r.parsed, r.seed, behind);
    }

    /** The maps answers are computed from, or null when the default network map is not held. */
    MapSet maps() {
        String def = directory == null ? null : directory.defaultNetworkMap();
        return def == null || !networkMaps.containsKey(def) ? null : new MapSet(networkMaps, costMaps, Map.of(), def);
    }

    /** One reading: the parses it made or reused and the documents it refers to. */
    private static final class Reader {
        private final Function<String, Representation> held;
        private final Function<String, Instant> validated;
        private final ReceivedDocuments previous;
        private final Map<String, Representation> seen = new HashMap<>();
        final Map<String, Ref> refs = new HashMap<>();
        final Map<String, Parsed> parsed = new HashMap<>();
        boolean seed;

        Reader(Function<String, Representation> held, Function<String, Instant> validated, ReceivedDocuments previous) {
            this.held = held;
            this.validated = validated;
            this.previous = previous;
        }

        /** The model of the document held at {@code target}, reused when its bytes are unchanged; null when none. */
        @SuppressWarnings("unchecked")
        <T> T parse(String target, Function<byte[], T> parser) {
            Representation r = held.apply(target);
            if (r == null) {
                return null;
            }
            seen.put(target, r);
            Parsed p = reused(target, digest(r));
            if (p == null) {
                try {
                    p = new Parsed(digest(r), parser.apply(r.identity().body().unsafeArray()));
                } catch (RuntimeException e) {
                    LOG.warn("{}: held but not readable as a map; queries on it are forwarded: {}", target, e.getMessage());
                    return null;
                }
            }
            parsed.put(target, p);
            return (T) p.value();
        }

        /** Of two documents read, the one signed first; none when they were signed together. */
        Optional<String> earlier(String one, String other) {
            Instant a = seen.get(one).created();
            Instant b = seen.get(other).created();
            return a.isBefore(b) ? Optional.of(one) : b.isBefore(a) ? Optional.of(other) : Optional.empty();
        }

        void refer(String target) {
            refs.put(target, Ref.of(seen.get(target), validated.apply(target)));
        }

        /** Refers to the XML document at {@code target} when it is the rendering of the map held at {@code jsonTarget}. */
        void backXml(String target, String jsonTarget, java.util.function.Supplier<Bytes> rendering) {
            Representation r = held.apply(target);
            if (r == null) {
                return;
            }
            seed = true;
            String key = digest(r) + ' ' + digest(seen.get(jsonTarget));
            Parsed p = reused("xml " + target, key);
            if (p == null) {
                p = new Parsed(key, rendering.get().equals(r.identity().body()));
            }
            parsed.put("xml " + target, p);
            if ((Boolean) p.value()) {
                refs.put(target, Ref.of(r, validated.apply(target)));
            }
        }

        private Parsed reused(String key, String digest) {
            Parsed p = previous.parsed.get(key);
            return p != null && digest != null && digest.equals(p.digest()) ? p : null;
        }

        private static String digest(Representation r) {
            return r.identity().header("content-digest").orElse(null);
        }
    }
}
