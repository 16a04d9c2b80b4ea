package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The order a stream sends what is behind in ({@link DueSubstreams}): round robin, but the
 * directory first whenever it is behind, since it lists the keys the other documents are signed
 * by. Before, a new version of everything (the origin switching to its next key) went out in
 * round robin from the substream after the one served last: the directory, added last, went
 * last, and a push proxy that had not learnt the next key refused every map before it.
 */
class DueSubstreamsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final Map<String, Track> tracks = Map.of("/a", Track.document("/a"), "/b", Track.document("/b"),
            StreamDiscovery.DIRECTORY, Track.document(StreamDiscovery.DIRECTORY));
    private final DueSubstreams due = new DueSubstreams(true);
    private final List<Substream> added = new ArrayList<>();

    private void add(String id, String target) {
        Substream s = new Substream(id, target, false, null);
        s.seq = added.size();
        added.add(s);
        due.add(s);
    }

    /** Every track at a new version (cost {@code cost}), every substream due, as the publisher does. */
    private void newVersions(int cost) {
        tracks.values().forEach(t -> t.update(UpdatePublisherTest.costMap(cost, T0.plusSeconds(cost))));
        added.forEach(due::due);
    }

    /** Sends what is behind, in order: the targets served. */
    private List<String> drain() {
        List<String> served = new ArrayList<>();
        for (Substream s = due.next(tracks::get); s != null; s = due.next(tracks::get)) {
            s.sentVersion = tracks.get(s.target).versionId();
            s.sentSignature = tracks.get(s.target).signatureVersion();
            served.add(s.target);
        }
        return served;
    }

    @Test
    void theDirectoryGoesFirstWheneverItIsBehindAndTheOthersInRoundRobin() {
        add("a", "/a");
        add("b", "/b");
        add("dir", StreamDiscovery.DIRECTORY); // as a push feed names it: after the documents it lists
        newVersions(1);
        assertEquals(List.of("/directory", "/a", "/b"), drain(), "the first versions");
        newVersions(2);
        assertEquals(List.of("/directory", "/a", "/b"), drain(), "a new version of everything (a key switch)");
        tracks.get("/a").update(UpdatePublisherTest.costMap(3, T0.plusSeconds(3)));
        tracks.get("/b").update(UpdatePublisherTest.costMap(3, T0.plusSeconds(3)));
        due.due(added.get(1));
        due.due(added.get(0));
        assertEquals(List.of("/a", "/b"), drain(), "the others in the order added, the directory not behind");
        assertNull(due.next(tracks::get));
    }

    @Test
    void aDirectoryNoLongerFollowedIsNotServed() {
        add("a", "/a");
        add("dir", StreamDiscovery.DIRECTORY);
        newVersions(1);
        due.remove(added.get(1));
        assertEquals(List.of("/a"), drain());
    }
}
