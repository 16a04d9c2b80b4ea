package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.answer.ResourcePaths;
import org.rproxy.core.store.Representation;

/**
 * The verified documents a client holds (the directory, the default network map and its cost
 * maps) and the local answers computed from them, rebuilt whenever a held document changes;
 * documents whose bytes did not change are not parsed again. Thread-safe: the caller's threads
 * and the update follower replace documents, readers see one consistent set of answers.
 */
final class HeldState {
    private final Directory directory;
    private final Clock clock;
    private final Map<String, Representation> held = new ConcurrentHashMap<>();
    private AnswerEngine maps = AnswerEngine.none();
    /** Whether every map held was used by the last {@link #rebuild()}. */
    private volatile boolean fits = true;
    private volatile Built built;

    /**
     * The newest answers with the content digests of the maps they were computed from (in
     * {@link #mapTargets()} order), set together: a new version of any map changes the digests, a
     * renewal of the same bytes does not ({@link ToldAnswers}).
     */
    record Built(LocalAnswers answers, List<Optional<String>> digests) {
    }

    HeldState(Directory directory, Representation signedDirectory, Clock clock) {
        this.directory = requireNonNull(directory, "directory");
        this.clock = requireNonNull(clock, "clock");
        held.put(AnswerEngine.DIRECTORY, requireNonNull(signedDirectory, "signedDirectory"));
    }

    /**
     * The request targets of the maps answers need: the default network map and the cost maps
     * on it, as the directory lists them.
     */
    List<String> mapTargets() {
        List<String> out = new ArrayList<>();
        String def = directory.defaultNetworkMap();
        if (def == null) {
            return out;
        }
        out.add(directory.resources().get(def).uri());
        for (InformationResource r : directory.resources().values()) {
            if (r.accepts() == null && MediaTypes.COST_MAP.equals(r.mediaType()) && r.uri().startsWith("/")
                    && r.uses().equals(List.of(def))) {
                out.add(r.uri());
            }
        }
        return out;
    }

    /**
     * What an update stream is asked for, resource id to request target: the maps, and the
     * directory (resource id {@code directory}, as the origin's stream names it), whose new
     * versions announce the origin's next key.
     */
    Map<String, String> streamTargets() {
        Map<String, String> targets = new LinkedHashMap<>();
        for (String t : mapTargets()) {
            String id = resourceId(t);
            if (id != null) {
                targets.put(id, t);
            }
        }
        targets.put(ResourcePaths.DIRECTORY_ID, AnswerEngine.DIRECTORY);
        return targets;
    }

    /**
     * The media type of the documents at {@code target} as an update stream sends them: the
     * directory's own type for the directory, else the type the directory gives the resource, or
     * null when it lists none.
     */
    String mediaType(String target) {
        if (target.equals(AnswerEngine.DIRECTORY)) {
            return MediaTypes.DIRECTORY;
        }
        for (InformationResource r : directory.resources().values()) {
            if (r.accepts() == null && r.uri().equals(target)) {
                return r.mediaType();
            }
        }
        return null;
    }

    /** The path of the directory's update stream resource ({@code text/event-stream}), if it lists one. */
    Optional<String> updatesPath() {
        for (InformationResource r : directory.resources().values()) {
            if (MediaTypes.EVENT_STREAM.equals(r.mediaType()) && r.uri().startsWith("/")) {
                return Optional.of(r.uri());
            }
        }
        return Optional.empty();
    }

    /** The resource id the directory gives the document at {@code target}, or null. */
    String resourceId(String target) {
        for (InformationResource r : directory.resources().values()) {
            if (r.accepts() == null && r.uri().equals(target)) {
                return r.id();
            }
        }
        return null;
    }

    Representation get(String target) {
        return held.get(target);
    }

    /**
     * Holds {@code r} for {@code target} unless a version created after it is held (requests of
     * several threads may finish in any order); true when the bytes held changed.
     */
    boolean put(String target, Representation r) {
        Representation[] before = new Representation[1];
        Representation now = held.compute(target, (t, old) -> {
            before[0] = old;
            return old != null && old.created().isAfter(r.created()) ? old : r;
        });
        return before[0] == null || !before[0].identity().body().equals(now.identity().body());
    }

    /**
     * Recomputes the answers from what is held now; returns them, or null when there are none yet
     * or the maps held do not fit together (a cost map of another network map version: answers
     * would leave it out, or lose every cost). Then the answers of the last maps that fit stand:
     * a stream or a source half-way through an update must not take the client's costs away.
     */
    synchronized LocalAnswers rebuild() {
        // one snapshot, so the validity is that of the very copies the answers are computed from
        Map<String, Representation> sources = new LinkedHashMap<>();
        for (String t : mapTargets()) {
            Representation r = held.get(t);
            if (r != null) {
                sources.put(t, r);
            }
        }
        Representation directory = held.get(AnswerEngine.DIRECTORY);
        maps = AnswerEngine.build(t -> t.equals(AnswerEngine.DIRECTORY) ? directory : sources.get(t), maps, clock);
        // the engine answers from the maps of one version only, and leaves out a map that does not fit
        fits = maps.sources().containsAll(sources.keySet());
        if (!fits || maps.endpointCosts() == null) {
            return null;
        }
        LocalAnswers a = new LocalAnswers(maps, () -> validUntil(sources), this::answers, clock);
        built = new Built(a, sources.values().stream().map(r -> r.identity().header("content-digest")).toList());
        return a;
    }

    /**
     * When answers computed from {@code sources} stop being valid: the earliest expiry among them,
     * each moved on by the copy held now when that is a renewal of the same bytes (same digest).
     */
    private Instant validUntil(Map<String, Representation> sources) {
        Instant until = Instant.MAX;
        for (Map.Entry<String, Representation> e : sources.entrySet()) {
            Representation built = e.getValue();
            Representation now = held.get(e.getKey());
            Instant expires = built.expires();
            if (now != null && now.expires().isAfter(expires) && sameBytes(now, built)) {
                expires = now.expires();
            }
            if (expires.isBefore(until)) {
                until = expires;
            }
        }
        return until;
    }

    private static boolean sameBytes(Representation a, Representation b) {
        return a.identity().header("content-digest").equals(b.identity().header("content-digest"));
    }

    /**
     * {@return false while the maps held do not fit together, as the last {@link #rebuild()} found
     * them} Any thread.
     */
    boolean mapsFit() {
        return fits;
    }

    /** The newest answers, or null before the maps were first held. */
    LocalAnswers answers() {
        Built b = built;
        return b == null ? null : b.answers();
    }

    /** The newest answers with the digests of their maps, or null before the maps were first held. */
    Built built() {
        return built;
    }
}
