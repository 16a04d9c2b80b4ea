package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who follows what: binds substreams to their subscription and counts, per document, the
 * substreams that follow it, publishing the set of followed documents for other threads (a pull
 * proxy keeps them fresh), and tells the {@link QueryAnswers} when an answer gains or loses a
 * follower.
 *
 * <p>Confined to the publisher's thread, except {@link #documents()}.
 */
final class Followers {

    private final QueryAnswers answers;
    private final Map<String, Integer> documents = new HashMap<>();
    private volatile Set<String> snapshot = Set.of();

    Followers(QueryAnswers answers) {
        this.answers = requireNonNull(answers, "answers");
    }

    void follow(Subscription s, Subscription.Substream sub) {
        s.add(sub);
        if (!sub.target.startsWith("/")) {
            answers.follow(sub.target);
        } else if (documents.merge(sub.target, 1, Integer::sum) == 1) {
            snapshot = Set.copyOf(documents.keySet());
        }
    }

    void unfollow(Subscription s, String id) {
        Subscription.Substream sub = s.remove(id);
        if (sub == null) {
            return;
        }
        if (!sub.target.startsWith("/")) {
            answers.unfollow(sub.target);
        } else if (documents.merge(sub.target, -1, Integer::sum) <= 0) {
            documents.remove(sub.target);
            snapshot = Set.copyOf(documents.keySet());
        }
    }

    /** The documents followed now, by request target; an immutable snapshot, safe from any thread. */
    Set<String> documents() {
        return snapshot;
    }
}
