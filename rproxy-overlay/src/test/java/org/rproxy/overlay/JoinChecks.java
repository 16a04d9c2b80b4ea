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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pings.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(pings.get() > 0, "host 1 never asked the contact back (else this check proves nothing)");
            say("host 1 asked the contact back " + (System.nanoTime() - start) / 1_000_000 + " ms after its ping");
            Thread.sleep(20_000); // a window: fewer pings in it on a loaded host only helps the bound
            say("pings the contact got in the 20 s after the first: " + pings.get() + "; host 1 knows " + boot.knownNodes()
                    + " nodes");
            assertTrue(!boot.joined().isDone(), "host 1 joined though nobody answered it");
            assertTrue(pings.get() <= ContactAsks.ASKS, "a contact that never answers was asked back " + pings.get()
                    + " times in 20 s (expected: at most " + ContactAsks.ASKS + ", then forgotten)");
        }
    }

    /** A KRPC ping query to {@code to} from a random node id (BEP 5). */
    private static DatagramPacket ping(InetSocketAddress to) {
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
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
