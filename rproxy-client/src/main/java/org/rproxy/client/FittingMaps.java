package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.store.Representation;

/**
 * Makes the maps of one {@link AltoClient#refreshMaps()}, of one poll of a follower
 * ({@link MapPoll}), or those a follower's stream left ({@link MapPoll#refit}), fit together. Each map is verified on its
 * own, so a source can hand over a network map and a cost map that are both genuine but of two
 * versions (a cost map whose {@code dependent-vtags}, RFC 7285 §11.2.3, names another version of
 * the network map): a proxy half-way through an update, or one that mixes versions on purpose to
 * keep the client from ever having answers. Taking "do not fit" for the last word let one such
 * source end every refresh, since the fallback across sources is per map and each map verified.
 *
 * <p>So when the maps held do not fit, the maps that are behind (signed before the newest map held:
 * a document that names a version is signed after that version exists, so of a pair that do not
 * fit the earlier-signed one is the stale one) are asked again of the other sources, skipping for
 * each map every source whose copy proved behind, until the maps fit or no source is left. No
 * source is counted as failing for it: every honest pull proxy is half-way through each update
 * of the maps for a moment, and clients refreshing then (many at once, when a stream tells them of
 * the update) would each cool it down and take their next refreshes to the next source, in the
 * end the origin, as the crowd rproxy is there to spare it arrives. A source that mixes versions
 * on purpose costs each refresh one fetch more, and cannot keep the client from answers. The
 * origin is never skipped: a copy of its that is behind was current when it was sent (the maps
 * changed between two fetches), and asked again it has the current one. Runs on the caller's
 * thread.
 */
final class FittingMaps {
    private final HeldState state;
    private final Sources sources;

    FittingMaps(HeldState state, Sources sources) {
        this.state = requireNonNull(state, "state");
        this.sources = requireNonNull(sources, "sources");
    }

    /**
     * The answers of the maps held, once the copies {@code fetched} in this refresh or poll (of
     * {@code targets}, in order, already held; null for one not had) are made to fit as the class says.
     *
     * @throws ClientException.InvalidResponse when no source has maps that fit the others
     * @throws ClientException.Interrupted     when the caller is interrupted: no source is blamed
     */
    LocalAnswers settle(List<String> targets, List<VerifiedDocument> fetched) {
        Map<String, VerifiedDocument> copies = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            if (fetched.get(i) != null) { // a poll's map no source gave: its copy held is not judged
                copies.put(targets.get(i), fetched.get(i));
            }
        }
        Map<String, Set<URI>> skip = new HashMap<>();
        Set<String> skipOverlay = new HashSet<>();
        List<ClientException> refused = new ArrayList<>();
        // each round skips one more source for some map, so this many rounds ask every source for every map
        int rounds = (sources.proxies().size() + 2) * Math.max(1, copies.size());
        for (int round = 0; round < rounds; round++) {
            LocalAnswers a = state.rebuild();
            if (fits(a, copies.keySet())) {
                return a;
            }
            List<String> behind = behind(copies.keySet());
            if (behind.isEmpty()) {
                break; // all of one signing and still no fit: no routing cost map, or not the origin's doing
            }
            for (String target : behind) {
                VerifiedDocument old = copies.get(target);
                URI from = sources.sourceOf(old.source(), target);
                if (from == null) {
                    skipOverlay.add(target);
                } else if (!from.equals(sources.origin())) {
                    skip.computeIfAbsent(target, t -> new HashSet<>()).add(from);
                }
                VerifiedDocument again;
                try {
                    again = sources.fetch(target, skip.getOrDefault(target, Set.of()), skipOverlay.contains(target));
                } catch (ClientException.NoSourceLeft e) {
                    refused.add(e);
                    throw doNotFit(refused);
                }
                state.put(target, again.representation());
                copies.put(target, again);
            }
        }
        throw doNotFit(refused);
    }

    /**
     * True when {@code a} are computed from every map of {@code targets}: a cost map that names
     * another version of the network map is left out of the answers, not refused by them.
     */
    private boolean fits(LocalAnswers a, Set<String> targets) {
        if (a == null) {
            return false;
        }
        Set<String> used = new HashSet<>();
        a.versions().forEach(v -> used.add(v.resourceId()));
        for (String t : targets) {
            String id = state.resourceId(t);
            if (id != null && !used.contains(id)) {
                return false;
            }
        }
        return true;
    }

    /** The map targets whose copy held was signed before the newest map held. */
    private List<String> behind(Set<String> targets) {
        Instant newest = Instant.MIN;
        for (String t : targets) {
            Representation r = state.get(t);
            if (r != null && r.created().isAfter(newest)) {
                newest = r.created();
            }
        }
        List<String> out = new ArrayList<>();
        for (String t : targets) {
            Representation r = state.get(t);
            if (r != null && r.created().isBefore(newest)) {
                out.add(t);
            }
        }
        return out;
    }

    private ClientException.InvalidResponse doNotFit(List<ClientException> refused) {
        ClientException.InvalidResponse e = new ClientException.InvalidResponse(sources.origin(),
                "the maps fetched do not fit together (a cost map of another network map version, or no routing"
                        + " cost map), and no source had maps that fit: try again");
        refused.forEach(e::addSuppressed);
        return e;
    }
}
