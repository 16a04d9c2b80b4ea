package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;

import lbms.plugins.mldht.kad.KBucketEntry;
import lbms.plugins.mldht.kad.Key;

import org.junit.jupiter.api.Test;

class LookupCandidatesTest {
    private final Key target = Key.createRandomKey();
    private final LookupCandidates candidates = new LookupCandidates(target);

    private static KBucketEntry at(String ip, int port, Key id) {
        return new KBucketEntry(new InetSocketAddress(ip, port), id);
    }

    /** An id closer to the target than any random one is likely to be. */
    private Key closeTo(int flip) {
        byte[] id = target.getHash();
        id[19] ^= (byte) flip;
        return new Key(id);
    }

    @Test
    void aWrongPortListedFirstIsAskedAndTheRightOneStillAfterIt() {
        KBucketEntry wrong = at("100.64.0.3", 6882, closeTo(1));
        KBucketEntry right = at("100.64.0.3", 6881, Key.createRandomKey());
        LookupCandidate w = candidates.add(wrong);
        assertTrue(candidates.mayAsk(wrong, w));
        w.attempts = 1;
        w.live = 1;
        LookupCandidate r = candidates.add(right);
        assertFalse(candidates.mayAsk(right, r), "one request on its way to an IP at a time");
        w.stalled = 1;
        assertTrue(candidates.mayAsk(right, r), "a stalled request frees the IP for its other listing");
        r.attempts = 1;
        r.answered = true;
        candidates.answeredFrom(right.getAddress().getAddress());
        candidates.dropIfSpent(wrong, w);
        assertTrue(w.gaveUp(), "once the IP answered, its other listing is not asked again");
    }

    @Test
    void aNodeGivenUpWithItsRequestsOnTheirWayIsWaitedForOnceHeardFromOrWhileAnswersComeLate() {
        KBucketEntry gone = at("100.64.0.11", 6881, closeTo(1)); // named by an answer: no round trip measured
        LookupCandidate g = candidates.add(gone);
        g.attempts = 2;
        g.live = 2;
        g.stalled = 2;
        assertTrue(g.gaveUp(), "asked twice, both stalled");
        assertFalse(candidates.lateOnTheirWay(false), "a node never heard from that stays silent is most often gone");
        assertTrue(candidates.lateOnTheirWay(true), "while answers come late here, it may only be slow");
        KBucketEntry slow = at("100.64.0.2", 6881, closeTo(2));
        slow.signalResponse(40);
        LookupCandidate s = candidates.add(slow);
        s.attempts = 2;
        s.live = 2;
        s.stalled = 2;
        assertTrue(candidates.lateOnTheirWay(false), "a node that answered this one before is waited for");
        s.live = 1;
        s.stalled = 1;
        s.refused = true;
        assertFalse(candidates.lateOnTheirWay(false), "a node that refused is not");
    }

    @Test
    void theSameIdAtAnotherAddressIsAListingOfItsOwn() {
        Key id = Key.createRandomKey();
        KBucketEntry fake = at("100.64.0.9", 6881, id);
        KBucketEntry real = at("100.64.0.3", 6881, id);
        assertTrue(candidates.add(fake) != candidates.add(real), "a node's id listed at a wrong address first does not hide it");
        assertEquals(2, candidates.inOrder().size());
    }

    @Test
    void theListingNamedByMoreAnswersIsAskedFirstAndAnIpAtMostThrice() {
        KBucketEntry madeUp = at("100.64.0.3", 6882, closeTo(1));
        KBucketEntry named = at("100.64.0.3", 6881, Key.createRandomKey());
        LookupCandidate m = candidates.add(madeUp);
        LookupCandidate n = candidates.add(named);
        candidates.add(named);
        assertEquals(2, n.sources);
        assertFalse(candidates.mayAsk(madeUp, m), "the closer listing named once waits for the one named twice");
        assertTrue(candidates.mayAsk(named, n));

        LookupCandidates other = new LookupCandidates(target);
        for (int port = 7000; port < 7000 + LookupCandidates.ASKS_PER_IP + 2; port++) {
            KBucketEntry e = at("100.64.0.5", port, Key.createRandomKey());
            LookupCandidate c = other.add(e);
            other.dropIfSpent(e, c);
            if (port < 7000 + LookupCandidates.ASKS_PER_IP) {
                assertTrue(other.mayAsk(e, c), "ask " + (port - 6999));
                c.attempts = 2;
                c.refused = true;
            } else {
                assertTrue(c.gaveUp(), "a listing past the IP's asks is given up: port " + port);
            }
        }
    }

    @Test
    void anAnswerNamesEachIpOnce() {
        List<KBucketEntry> listed = List.of(at("100.64.0.3", 1, Key.createRandomKey()), at("100.64.0.3", 2, Key.createRandomKey()),
                at("100.64.0.4", 6881, Key.createRandomKey()));
        List<KBucketEntry> kept = LookupCandidates.fromOneAnswer(listed);
        assertEquals(List.of(listed.get(0), listed.get(2)), kept);
    }

    @Test
    void theRestANodeListedIsNotAskedOnceThreeOfItsListingsFailedUnlessAnotherNodeNamedIt() {
        KBucketEntry liar = at("100.64.0.2", 6881, Key.createRandomKey());
        KBucketEntry honest = at("100.64.0.4", 6881, Key.createRandomKey());
        for (int i = 0; i < LookupCandidates.FAILURES; i++) {
            KBucketEntry e = at("100.64.1." + i, 6881, closeTo(i + 1));
            LookupCandidate c = candidates.add(e, liar);
            assertTrue(candidates.mayAsk(e, c));
            c.attempts = LookupCandidate.ATTEMPTS;
            c.live = 2;
            c.stalled = 2;
            candidates.dropIfSpent(e, c);
            assertTrue(c.gaveUp());
        }
        KBucketEntry next = at("100.64.1.50", 6881, closeTo(50));
        LookupCandidate n = candidates.add(next, liar);
        KBucketEntry vouched = at("100.64.1.51", 6881, closeTo(51));
        LookupCandidate v = candidates.add(vouched, liar);
        candidates.add(vouched, honest);
        KBucketEntry table = at("100.64.1.52", 6881, closeTo(52));
        LookupCandidate t = candidates.add(table, liar);
        candidates.add(table, null);
        candidates.dropIfSpent(next, n);
        candidates.dropIfSpent(vouched, v);
        candidates.dropIfSpent(table, t);
        assertTrue(n.gaveUp(), "named only by a node three of whose listings failed");
        assertFalse(v.gaveUp(), "named by another node too");
        assertFalse(t.gaveUp(), "in this node's own routing table");
    }
}
