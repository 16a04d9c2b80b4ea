package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;

/**
 * The documents the push feed follows and the substream id each has on the upstream's update
 * stream (RFC 8895 §6.5: the client names its substreams). Ids are given once per target and
 * kept across reconnects, so an event always names the same document. Builds the stream
 * parameters: on every (re)connect every document known, each with the entity tag held, so the
 * upstream sends only what changed meanwhile.
 *
 * <p>Not thread-safe: the feed's own thread owns it.
 */
final class Substreams {
    /** {@code add/<id>/path}, or {@code add.<id>.path} as upstreams before RFC 7285 §8.5.2's {@code /} paths name it. */
    private static final Pattern SUBSTREAM_FIELD =
            Pattern.compile("add/([^/]+)/(?:path|resource-id)|add\\.([^.]+)\\.(?:path|resource-id)");
    /** Documents followed at most: far more than any origin serves (an ALTO server has a few maps). */
    static final int MAX_FOLLOWED = 4096;
    /** Substream ids given at most (ids stay with their targets across unfollowing). */
    static final int MAX_IDS = 4 * MAX_FOLLOWED;
    /** The longest target or resource id taken: a request target longer than the front end's 4 KiB line is refused anyway. */
    static final int MAX_TARGET_CHARS = 4096;

    private final Map<String, String> documents = new LinkedHashMap<>();
    private final Map<String, String> idOf = new HashMap<>();
    private final Map<String, String> targetOf = new HashMap<>();
    private Consumer<String> unfollowed = target -> { };
    private long refused;

    /** Tells {@code listener} of each document followed no more ({@link #unfollow}). */
    void onUnfollow(Consumer<String> listener) {
        this.unfollowed = requireNonNull(listener, "listener");
    }

    /**
     * Follows {@code target} (resource {@code resourceId}); false when it was followed already, or
     * when it is not taken: a target that is not an absolute path of at most
     * {@link #MAX_TARGET_CHARS}, or one more than {@link #MAX_FOLLOWED} documents followed or
     * {@link #MAX_IDS} ever named. The upstream that announces documents is not trusted: without
     * the bounds it could make this proxy follow, and name in every subscription, documents
     * without end.
     */
    boolean follow(String target, String resourceId) {
        if (documents.containsKey(target)) {
            return false;
        }
        if (!target.startsWith("/") || target.length() > MAX_TARGET_CHARS || resourceId.length() > MAX_TARGET_CHARS
                || documents.size() >= MAX_FOLLOWED || (!idOf.containsKey(target) && idOf.size() >= MAX_IDS)) {
            refused++;
            return false;
        }
        documents.put(target, resourceId);
        return true;
    }

    /** How many announced documents {@link #follow} did not take for the bounds. */
    long refused() {
        return refused;
    }

    /**
     * Stops following the document of substream {@code substreamId} (the upstream stopped it, or
     * refused it: it no longer has that document), so that no later subscription asks for it;
     * its id stays its own, should it be followed again. Returns its target, or null when the
     * id names nothing followed.
     */
    String unfollow(String substreamId) {
        String target = targetOf.get(substreamId);
        if (target == null || documents.remove(target) == null) {
            return null;
        }
        unfollowed.accept(target);
        return target;
    }

    /**
     * Stops following the document a refused subscription names ({@code add/<id>/path} or
     * {@code add/<id>/resource-id}, or the same with dots from an older upstream: a document the upstream does not have; RFC 8895 refuses the
     * whole request); returns its target, or null when the error names none followed.
     */
    String unfollowRefused(AltoError error) {
        Matcher m = error.field() == null ? null : SUBSTREAM_FIELD.matcher(error.field());
        return m != null && m.matches() ? unfollow(m.group(1) != null ? m.group(1) : m.group(2)) : null;
    }

    /** The targets of the documents followed now (a copy). */
    Set<String> followed() {
        return new LinkedHashSet<>(documents.keySet());
    }

    /** The documents followed now that {@code named} lacks, target to resource id, in the order followed. */
    Map<String, String> followedBeyond(Set<String> named) {
        Map<String, String> more = new LinkedHashMap<>();
        documents.forEach((target, id) -> {
            if (!named.contains(target)) {
                more.put(target, id);
            }
        });
        return more;
    }

    /**
     * The targets of {@code targets} that have a substream id and are followed no more (a stream
     * subscribed when they were still carries them), in the order given; empty when every one is followed.
     */
    List<String> unfollowedOf(Collection<String> targets) {
        List<String> gone = new ArrayList<>();
        for (String target : targets) {
            if (idOf.containsKey(target) && !documents.containsKey(target)) {
                gone.add(target);
            }
        }
        return gone;
    }

    /** The target a substream id names, or null for an id this feed never gave. */
    String target(String substreamId) {
        return targetOf.get(substreamId);
    }

    /**
     * The target a substream id names while its document is followed, or null: for an id this
     * feed never gave, or one of a document followed no more, whose updates a stream may still
     * carry until the upstream acts on the feed's removal ({@link StreamControl#remove}).
     */
    String followedTarget(String substreamId) {
        String target = targetOf.get(substreamId);
        return target != null && documents.containsKey(target) ? target : null;
    }

    /** Whether {@code target} is followed now. */
    boolean follows(String target) {
        return documents.containsKey(target);
    }

    /**
     * The request body of a subscription to every document followed ({@code add} entries with
     * resource id, path and held tag; signature events asked for, whatever the upstream's default,
     * since the feed verifies every update with them). {@code heldTag} gives the quoted entity tag held for a target, or null.
     */
    byte[] subscription(Function<String, String> heldTag) {
        ObjectNode add = JsonNodeFactory.instance.objectNode();
        documents.forEach((target, id) -> add.set(id(target), entry(target, id, heldTag)));
        ObjectNode root = request(add);
        root.put(StreamRequest.SIGNATURES_MEMBER, true);
        return Jcs.canonicalize(root);
    }

    /**
     * The control request (RFC 8895 §7) that removes the substreams of {@code removed} (targets
     * with an id) and then adds those of {@code added} that are followed now, each naming the tag
     * held, so that the upstream sends it from that version (a target in both is put back on the
     * version held). Null when it would do nothing.
     */
    Change change(Collection<String> removed, Collection<String> added, Function<String, String> heldTag) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        List<String> removedIds = new ArrayList<>();
        for (String target : removed) {
            String id = idOf.get(target);
            if (id != null) {
                removedIds.add(id);
            }
        }
        List<String> addedTargets = new ArrayList<>();
        ObjectNode add = JsonNodeFactory.instance.objectNode();
        for (String target : added) {
            String resourceId = documents.get(target);
            if (resourceId != null) {
                add.set(id(target), entry(target, resourceId, heldTag));
                addedTargets.add(target);
            }
        }
        if (removedIds.isEmpty() && addedTargets.isEmpty()) {
            return null;
        }
        if (!addedTargets.isEmpty()) {
            root.set("add", add);
        }
        if (!removedIds.isEmpty()) {
            ArrayNode remove = root.putArray("remove");
            removedIds.forEach(remove::add);
        }
        return new Change(List.copyOf(removedIds), List.copyOf(addedTargets), Bytes.wrap(Jcs.canonicalize(root)));
    }

    /**
     * A control request: the substream ids it removes, the targets it adds (after the removals),
     * and its body (immutable, so the record's equality is its content's).
     */
    record Change(List<String> removed, List<String> added, Bytes body) {
    }

    private static ObjectNode request(ObjectNode add) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("add", add);
        return root;
    }

    private static ObjectNode entry(String target, String id, Function<String, String> heldTag) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("resource-id", id);
        o.put("path", target);
        String etag = heldTag.apply(target);
        if (etag != null) {
            o.put("tag", etag.substring(1, etag.length() - 1));
        }
        return o;
    }

    private String id(String target) {
        return idOf.computeIfAbsent(target, t -> {
            String id = "d" + (idOf.size() + 1);
            targetOf.put(id, t);
            return id;
        });
    }
}
