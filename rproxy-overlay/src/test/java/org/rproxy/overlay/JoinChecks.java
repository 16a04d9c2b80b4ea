package org.rproxy.overlay;

import static org.rproxy.overlay.NamespaceChecks.ip;
import static org.rproxy.overlay.NamespaceChecks.say;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.rproxy.core.testing.Eventually;

/** How a DHT node counts as joined, in a network namespace (see {@link NamespaceChecks}). */
final class JoinChecks {

    private JoinChecks() {
    }

    /**
     * A bootstrap node whose own bootstrap list is all down (host 2: nobody there) is joined once
     * a peer joins through it: it asks the peer back, and the peer's answer makes it a node of its
     * routing table. Before, mldht kept the peer out of the table proper (it contacted the node but
     * never answered it), the node never reported {@code joined()} though peers joined through it,
     * and its own lookups waited for the join.
     */
    static void aBootstrapNodeOthersReachCountsAsJoined(Path dir) throws Exception {
        try (DhtNode boot = NamespaceChecks.dhtNode(1, dir, List.of(new InetSocketAddress(ip(2), 6881)));
             DhtNode peer = NamespaceChecks.dhtNode(3, dir, List.of(new InetSocketAddress(ip(1), 6881)))) {
            peer.joined().get(60, TimeUnit.SECONDS);
            long start = System.nanoTime();
            say("the peer joined through host 1, which knows " + boot.knownNodes() + " nodes, may start lookups from "
                    + boot.lookupNodes());
            boot.joined().get(60, TimeUnit.SECONDS); // the old code: not within 150 s, nor ever
            say("host 1 joined " + (System.nanoTime() - start) / 1_000_000 + " ms after the peer did; it knows "
                    + boot.knownNodes() + " nodes");
        }
    }

    /**
     * A contact that never answers (one valid KRPC ping from host 3, maybe with a spoofed source,
     * then silence) is asked back by a node no node answered (host 1, its bootstrap host 2 down) at
     * most {@link ContactAsks#ASKS} times, not once a second for as long as the node stays unjoined:
     * else one forged packet has the node send a third party a ping a second for good (a
     * reflection). Host 3's socket counts the pings it gets for 20 s after the first; the old code
     * sent about one a second.
     */
    static void aContactThatNeverAnswersIsAskedBackAFewTimes(Path dir) throws Exception {
        AtomicInteger pings = new AtomicInteger();
        long start = System.nanoTime();
        InetSocketAddress node = new InetSocketAddress(ip(1), 6881);
        try (DhtNode boot = NamespaceChecks.dhtNode(1, dir, List.of(new InetSocketAddress(ip(2), 6881)));
             DatagramSocket contact = new DatagramSocket(new InetSocketAddress(ip(3), 6881))) {
            Thread reader = new Thread(() -> countPings(contact, pings), "contact-" + ip(3));
            reader.setDaemon(true);
            reader.start();
            contact.send(ping(node));
            Eventually.await("host 1 asks the contact back (else this check proves nothing)", Duration.ofSeconds(60),
                    () -> pings.get() > 0);
            say("host 1 asked the contact back " + (System.nanoTime() - start) / 1_000_000 + " ms after its ping");
            Thread.sleep(20_000); // a window: fewer pings in it on a loaded host only helps the bound
            say("pings the contact got in the 20 s after the first: " + pings.get() + "; host 1 knows " + boot.knownNodes()
                    + " nodes");
            assertTrue(!boot.joined().isDone(), "host 1 joined though nobody answered it");
            assertTrue(pings.get() <= ContactAsks.ASKS, "a contact that never answers was asked back " + pings.get()
                    + " times in 20 s (expected: at most " + ContactAsks.ASKS + ", then forgotten)");
        }
    }

    /**
     * Forged contacts, more than a bucket holds and with ids closer to host 1's than any honest
     * node's, crowd not an honest contact out of the join: {@value #FORGED} sockets on addresses of
     * their own (a forger's spoofed sources) ping host 1 (no node answered it: its bootstrap host 2
     * is down) twice a second with fixed ids that share host 1's first 19 bytes, and never
     * answer; a few seconds in, a DHT node on host 3 joins through host 1. Host 1 must ask host 3
     * back and so join, and ask each forged source at most {@link ContactAsks#ASKS} times. Before,
     * host 1 asked only the contacts mldht kept as its replacement entries, 8 per bucket, each
     * replaced only by a contact a second newer: the forged sources, kept fresh by their pings,
     * held all 8, host 3 never got in, and host 1 never joined.
     */
    static void forgedContactsCrowdNoHonestOneOutOfTheJoin(Path dir) throws Exception {
        InetSocketAddress node = new InetSocketAddress(ip(1), 6881);
        List<DatagramSocket> forged = new ArrayList<>();
        List<AtomicInteger> asked = new ArrayList<>();
        AtomicReference<byte[]> nodeId = new AtomicReference<>();
        try (DhtNode boot = NamespaceChecks.dhtNode(1, dir, List.of(new InetSocketAddress(ip(2), 6881)))) {
            for (int i = 0; i < FORGED; i++) {
                String at = "100.64.0." + (20 + i);
                NamespaceChecks.onLoopback(at);
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(at, 6881));
                forged.add(s);
                AtomicInteger pings = new AtomicInteger();
                asked.add(pings);
                Thread reader = new Thread(() -> readAt(s, pings, nodeId), "forged-" + at);
                reader.setDaemon(true);
                reader.start();
            }
            NamespaceChecks.onLoopback(PROBE);
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(PROBE, 6881))) {
                Thread reader = new Thread(() -> readAt(probe, new AtomicInteger(), nodeId), "probe");
                reader.setDaemon(true);
                reader.start();
                probe.send(ping(node, randomId()));
                Eventually.await("host 1 answers a ping", Duration.ofSeconds(60), () -> nodeId.get() != null);
            }
            for (int i = 0; i < FORGED; i++) {
                byte[] id = nodeId.get().clone();
                id[19] ^= (byte) (i + 1);
                DatagramSocket from = forged.get(i);
                Thread flood = new Thread(() -> flood(from, node, id), "forger-" + i);
                flood.setDaemon(true);
                flood.start();
            }
            // the forged contacts are there first: as many asked back as a bucket holds
            Eventually.await("host 1 asks " + NearestLookup.K + " forged contacts back", Duration.ofSeconds(60),
                    () -> asked.stream().filter(n -> n.get() > 0).count() >= NearestLookup.K);
            try (DhtNode peer = NamespaceChecks.dhtNode(3, dir, List.of(node))) {
                peer.joined().get(60, TimeUnit.SECONDS);
                long start = System.nanoTime();
                joinsWithin(boot, 60);
                List<Integer> counts = asked.stream().map(AtomicInteger::get).toList();
                say("pings the " + FORGED + " forged contacts got: " + counts + "; host 1 knows " + boot.knownNodes()
                        + " nodes, joined: " + boot.joined().isDone());
                assertTrue(boot.joined().isDone(), "host 1 did not join within 60 s of host 3's join through it,"
                        + " among " + FORGED + " forged contacts (expected: host 3 asked back, and host 1 joined)");
                say("host 1 joined " + (System.nanoTime() - start) / 1_000_000 + " ms after host 3 did");
                assertTrue(counts.stream().allMatch(n -> n <= ContactAsks.ASKS), "a forged contact was asked back more than "
                        + ContactAsks.ASKS + " times: " + counts);
            }
        } finally {
            forged.forEach(DatagramSocket::close);
        }
    }

    /**
     * One forged query with host 3's address as its source and another node id, while nothing
     * runs there: host 1 asks that address back until it gives it up; then a DHT node starts on
     * host 3 and joins through host 1. Host 1 must join. Before, host 1 asked back only the
     * contacts mldht kept unanswered, and mldht refuses a contact whose address one of those has
     * (the forged one, with another id) and refreshes none: host 3 never got in, the forged record
     * never counted as a new contact, and host 1 never joined.
     */
    static void aContactForgedAtAPeersAddressKeepsItNotOut(Path dir) throws Exception {
        InetSocketAddress node = new InetSocketAddress(ip(1), 6881);
        try (DhtNode boot = NamespaceChecks.dhtNode(1, dir, List.of(new InetSocketAddress(ip(2), 6881)))) {
            AtomicInteger pings = new AtomicInteger();
            try (DatagramSocket forged = new DatagramSocket(new InetSocketAddress(ip(3), 6881))) {
                Thread reader = new Thread(() -> readAt(forged, pings, new AtomicReference<>()), "forged-at-3");
                reader.setDaemon(true);
                reader.start();
                forged.send(ping(node, randomId()));
                Eventually.await("host 1 asks the forged contact back until it gives it up", Duration.ofSeconds(90),
                        () -> pings.get() >= ContactAsks.ASKS);
                say("host 1 asked the forged contact at host 3's address " + pings.get() + " times");
            }
            Thread.sleep(2_000);
            try (DhtNode peer = NamespaceChecks.dhtNode(3, dir, List.of(node))) {
                peer.joined().get(60, TimeUnit.SECONDS);
                long start = System.nanoTime();
                joinsWithin(boot, 60);
                assertTrue(boot.joined().isDone(), "host 1 did not join within 60 s of host 3's join through it");
                say("host 1 joined " + (System.nanoTime() - start) / 1_000_000 + " ms after host 3 did");
            }
        }
    }

    /** Waits at most {@code seconds} for {@code node} to join; the check judges {@code joined()} after. */
    private static void joinsWithin(DhtNode node, long seconds) throws InterruptedException {
        try {
            node.joined().get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // not joined: the check's assertion says so, with what it saw
        } catch (ExecutionException e) {
            throw new AssertionError("the join failed", e.getCause());
        }
    }

    /** How many forged sources {@link #forgedContactsCrowdNoHonestOneOutOfTheJoin} runs: twice a bucket. */
    private static final int FORGED = 12;
    /** Where {@link #forgedContactsCrowdNoHonestOneOutOfTheJoin} learns host 1's node id from: its answer to a ping. */
    private static final String PROBE = "100.64.0.19";

    /**
     * Pings {@code node} from {@code from} as node {@code id} twice a second (for 5 min at most)
     * until {@code from} closes: each forged source on a thread of its own, so that one thread's
     * stall on a loaded host leaves the others' contacts fresh.
     */
    private static void flood(DatagramSocket from, InetSocketAddress node, byte[] id) {
        for (int round = 0; round < 600 && !from.isClosed(); round++) {
            try {
                from.send(ping(node, id));
                Thread.sleep(500);
            } catch (java.io.IOException | InterruptedException stopped) {
                return;
            }
        }
    }

    /** Reads every datagram at {@code s}: counts the ping queries, and keeps the id of the first answer. */
    private static void readAt(DatagramSocket s, AtomicInteger pings, AtomicReference<byte[]> answerId) {
        DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
        while (!s.isClosed()) {
            try {
                s.receive(d);
            } catch (java.io.IOException closed) {
                return;
            }
            String m = new String(d.getData(), 0, d.getLength(), StandardCharsets.ISO_8859_1);
            int id = m.indexOf("2:id20:");
            if (m.contains("1:q4:ping") && m.contains("1:y1:q")) {
                pings.incrementAndGet();
            } else if (m.contains("1:y1:r") && id >= 0 && id + 27 <= m.length()) {
                answerId.compareAndSet(null, m.substring(id + 7, id + 27).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }

    private static byte[] randomId() {
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        return id;
    }

    /** A KRPC ping query to {@code to} from a random node id (BEP 5). */
    private static DatagramPacket ping(InetSocketAddress to) {
        return ping(to, randomId());
    }

    /** A KRPC ping query to {@code to} from node {@code id} (BEP 5). */
    private static DatagramPacket ping(InetSocketAddress to, byte[] id) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("d1:ad2:id20:".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(id);
        b.writeBytes("e1:q4:ping1:t2:aa1:y1:qe".getBytes(StandardCharsets.US_ASCII));
        byte[] m = b.toByteArray();
        return new DatagramPacket(m, m.length, to);
    }

    /** Reads every datagram at {@code s}, counting the ping queries in {@code pings}; answers none. */
    private static void countPings(DatagramSocket s, AtomicInteger pings) {
        DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
        while (!s.isClosed()) {
            try {
                s.receive(d);
                String m = new String(d.getData(), 0, d.getLength(), StandardCharsets.ISO_8859_1);
                if (m.contains("1:q4:ping") && m.contains("1:y1:q")) {
                    pings.incrementAndGet();
                }
            } catch (java.io.IOException closed) {
                return;
            }
        }
    }
}
