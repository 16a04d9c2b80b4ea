package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who follows what: binds substreams to their subscription and keeps, per track (a document's
 * request target, or a query's key), the substreams that follow it, so that a change reaches
 * exactly those ({@link #changed}) without looking at any other; publishes the set of followed
 * documents for other threads (a pull proxy keeps them fresh), and tells the {@link QueryAnswers}
 * when an answer gains or loses a follower.
 *
 * <p>Confined to the publisher's thread, except {@link #documents()}.
 */
final class Followers {

    private final QueryAnswers answers;
    /** Track key to the substreams that follow it, each with its subscription. */
    private final Map<String, Map<Substream, Subscription>> byKey = new HashMap<>();
    private volatile Set<String> snapshot = Set.of();

    Followers(QueryAnswers answers) {
        this.answers = requireNonNull(answers, "answers");
    }

    void follow(Subscription s, Substream sub) {
        s.add(sub);
        Map<Substream, Subscription> of = byKey.get(sub.target);
        boolean first = of == null;
        if (first) {
            of = new LinkedHashMap<>();
            byKey.put(sub.target, of);
        }
        of.put(sub, s);
        if (!sub.target.startsWith("/")) {
            answers.follow(sub.target);
        } else if (first) {
            snapshot = Set.copyOf(documentKeys());
        }
    }

    void unfollow(Subscription s, String id) {
        Substream sub = s.remove(id);
        if (sub == null) {
            return;
        }
        Map<Substream, Subscription> of = byKey.get(sub.target);
        boolean last = false;
        if (of != null) {
            of.remove(sub);
            last = of.isEmpty();
            if (last) {
                byKey.remove(sub.target);
            }
        }
        if (!sub.target.startsWith("/")) {
            answers.unfollow(sub.target);
        } else if (last) {
            snapshot = Set.copyOf(documentKeys());
        }
    }

    /**
     * Unfollows every substream following {@code key} (a document gone, a query refused); returns
     * their ids by subscription, in the order they followed.
     */
    Map<Subscription, List<String>> unfollowAll(String key) {
        Map<Subscription, List<String>> out = new LinkedHashMap<>();
        Map<Substream, Subscription> of = byKey.get(key);
        if (of != null) {
            new ArrayList<>(of.entrySet()).forEach(e -> {
                unfollow(e.getValue(), e.getKey().id);
                out.computeIfAbsent(e.getValue(), s -> new ArrayList<>()).add(e.getKey().id);
            });
        }
        return out;
    }

    /**
     * How many substreams of started streams following {@code key} were last sent another version
     * than {@code version}, just replaced: they skip it (coalesced).
     */
    int skipping(String key, String version) {
        int n = 0;
        for (Map.Entry<Substream, Subscription> e : byKey.getOrDefault(key, Map.of()).entrySet()) {
            if (e.getValue().attached() && !version.equals(e.getKey().sentVersion)) {
                n++;
            }
        }
        return n;
    }

    /** The track {@code key} has a new version or signature (or was first held): its followers are due. */
    void changed(String key) {
        Map<Substream, Subscription> of = byKey.get(key);
        if (of != null) {
            of.forEach((sub, s) -> s.due(sub));
        }
    }

    /** The documents followed now, by request target; an immutable snapshot, safe from any thread. */
    Set<String> documents() {
        return snapshot;
    }

    private Set<String> documentKeys() {
        Set<String> docs = new HashSet<>();
        for (String k : byKey.keySet()) {
            if (k.startsWith("/")) {
                docs.add(k);
            }
        }
        return docs;
    }
}
