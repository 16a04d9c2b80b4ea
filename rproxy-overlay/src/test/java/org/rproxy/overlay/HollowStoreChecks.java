package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

import the8472.bencode.BDecoder;
import the8472.bencode.BEncoder;

/**
 * {@link NamespaceChecks} of a publisher's put against DHT nodes that acknowledge every put and
 * keep nothing. Run as they are.
 */
final class HollowStoreChecks {
    /** The most puts of one item a check makes: as many as a publisher's tries of one store ({@link Renewals#TRIES}). */
    private static final int PUTS = Renewals.TRIES;
    /** Between two puts: a publisher's retry is 1 s; more here, so that the nodes' throttles let go. */
    private static final Duration PUT_SPACING = Duration.ofSeconds(3);

    private HollowStoreChecks() {
    }

    /**
     * Eight such nodes (100.64.0.11-18, added to the namespace's {@code lo} here) sit closest to
     * the pointer's target, and one honest node (host 3) farther out. The publisher (host 1) must
     * count only nodes that answer a get with the item afterwards, and put it on the honest node in
     * the place of those that held nothing: counting every acknowledgement, it believed the pointer
     * held by its eight closest nodes, which every reader asks and which answer nothing, and the
     * honest node, which a reader finds, never got it.
     */
    static void aPutAcknowledgedAndNotKeptIsNotCountedAndGoesFurther(Path dir) throws Exception {
        DhtKey publisher = DhtKeys.fresh();
        byte[] salt = "map-a".getBytes(StandardCharsets.UTF_8);
        byte[] target = GenericStorage.fingerprint(publisher.publicKey(), salt, null).getHash();
        List<HollowNode> liars = new ArrayList<>();
        try {
            List<InetSocketAddress> boot = closestTo(target, liars, i -> PutAnswer.ACK);
            try (DhtNode honest = NamespaceChecks.dhtNode(3, dir, List.of(new InetSocketAddress(NamespaceChecks.ip(1), 6881)));
                 DhtNode putting = NamespaceChecks.dhtNode(1, dir, boot)) {
                honest.joined().get(60, TimeUnit.SECONDS);
                putting.joined().get(60, TimeUnit.SECONDS);
                Stored put = putUntilCounted(putting, honest,
                        GenericStorage.buildMutable("pointer", publisher.privateKey(), salt, 7));
                int acked = liars.stream().mapToInt(l -> l.puts.get()).sum();
                NamespaceChecks.say("put: " + put + "; the hollow nodes acknowledged " + acked + " puts and were asked "
                        + liars.stream().mapToInt(l -> l.gets.get()).sum() + " gets; the honest node stores "
                        + honest.storedItems() + " items");
                // Most of the eight, not all: under load a node's acknowledgement can come after the
                // publisher gave up on it (7 of 8 once at load 30); the old code fails the same way
                // with any of them, as its put went to the eight closest only.
                assertTrue(acked >= NearestLookup.K / 2, "puts the hollow nodes acknowledged (else this check proves nothing): " + acked);
                assertEquals(1, honest.storedItems(), "the item on the honest node, put in the place of nodes that kept nothing");
                assertEquals(1, put.nodes(), "nodes counted as holding the item: the honest one alone");
            }
        } finally {
            liars.forEach(HollowNode::close);
        }
    }

    /**
     * As {@link #aPutAcknowledgedAndNotKeptIsNotCountedAndGoesFurther}, the eight closest nodes
     * answering the lookup with tokens and then refusing every put (a KRPC error, four of them)
     * or never answering one (the other four): they held nothing either, and counting no
     * acknowledgement from them, the publisher gave them up without putting the item on the
     * honest node beyond them, which every reader would have found it on.
     */
    static void aPutRefusedOrUnansweredGoesFurther(Path dir) throws Exception {
        DhtKey publisher = DhtKeys.fresh();
        byte[] salt = "map-b".getBytes(StandardCharsets.UTF_8);
        byte[] target = GenericStorage.fingerprint(publisher.publicKey(), salt, null).getHash();
        List<HollowNode> liars = new ArrayList<>();
        try {
            List<InetSocketAddress> boot = closestTo(target, liars, i -> i % 2 == 0 ? PutAnswer.ERROR : PutAnswer.NONE);
            try (DhtNode honest = NamespaceChecks.dhtNode(3, dir, List.of(new InetSocketAddress(NamespaceChecks.ip(1), 6881)));
                 DhtNode putting = NamespaceChecks.dhtNode(1, dir, boot)) {
                honest.joined().get(60, TimeUnit.SECONDS);
                putting.joined().get(60, TimeUnit.SECONDS);
                Stored put = putUntilCounted(putting, honest,
                        GenericStorage.buildMutable("pointer", publisher.privateKey(), salt, 7));
                int asked = liars.stream().mapToInt(l -> l.puts.get()).sum();
                NamespaceChecks.say("put: " + put + "; the nodes that refuse or drop puts were sent " + asked
                        + "; the honest node stores " + honest.storedItems() + " items");
                assertTrue(asked >= NearestLookup.K / 2, "puts sent to the refusing nodes (else this check proves nothing): "
                        + asked);
                assertEquals(1, honest.storedItems(), "the item on the honest node, put in the place of nodes that took nothing");
                assertEquals(1, put.nodes(), "nodes counted as holding the item: the honest one alone");
            }
        } finally {
            liars.forEach(HollowNode::close);
        }
    }

    /**
     * Puts {@code item} from {@code putting} until the honest node holds it and the put counts it,
     * at most {@value #PUTS} times, {@link #PUT_SPACING} apart, as a publisher's renewals put
     * again while too few nodes took it ({@link StoreTries}). Why more than once: on a loaded host
     * a lookup may end once the eight closest answered, before the honest node's token came (no
     * spare to put on), or the honest node's answers may come after the publisher gave it up
     * (its put then lands after the check looked, uncounted). Why spaced: put again at once, in
     * a whole build at load 30, the next put ended within the same tenth of a second having
     * reached neither the honest node nor all eight closest ("Stored[nodes=0, closest=7...]",
     * then "closest=8", both at 5.3 s, then "closest=5"; the honest node stored 0 items): nodes
     * throttle a sender that asks too much at once, and a renewal waits too. Never enough for the
     * old code, which put on the eight closest only, however often it put.
     */
    private static Stored putUntilCounted(DhtNode putting, DhtNode honest, StorageItem item) throws Exception {
        Stored put = putting.put(item).get(60, TimeUnit.SECONDS);
        for (int again = 1; again < PUTS && (honest.storedItems() == 0 || put.nodes() == 0); again++) {
            NamespaceChecks.say("put: " + put + "; the honest node stores " + honest.storedItems()
                    + " items: putting again in " + PUT_SPACING.toSeconds() + " s");
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(PUT_SPACING.toMillis(),
                    TimeUnit.MILLISECONDS)).get(60, TimeUnit.SECONDS);
            put = putting.put(item).get(60, TimeUnit.SECONDS);
        }
        return put;
    }

    /**
     * Starts eight {@link HollowNode}s at 100.64.0.11-18 (added to the namespace's {@code lo}),
     * with ids closer to {@code target} than any honest node is likely to be, each listing all of
     * them and answering puts as {@code onPut} says for its index, into {@code liars}; returns
     * their addresses and host 3's, a publisher's bootstrap.
     */
    private static List<InetSocketAddress> closestTo(byte[] target, List<HollowNode> liars, IntFunction<PutAnswer> onPut)
            throws Exception {
        List<InetSocketAddress> liarAddresses = new ArrayList<>();
        for (int i = 11; i <= 18; i++) {
            NamespaceChecks.onLoopback("100.64.0." + i);
            liarAddresses.add(new InetSocketAddress("100.64.0." + i, 6881));
        }
        for (int i = 0; i < liarAddresses.size(); i++) {
            byte[] id = target.clone();
            id[19] ^= (byte) (i + 1); // closer to the target than any honest node is likely to be
            liars.add(new HollowNode(liarAddresses.get(i), id, onPut.apply(i)));
        }
        ByteBuffer all = ByteBuffer.allocate(26 * liars.size());
        liars.forEach(l -> all.put(l.compact()));
        liars.forEach(l -> l.nodes = all.array());
        List<InetSocketAddress> boot = new ArrayList<>(liarAddresses);
        boot.add(new InetSocketAddress(NamespaceChecks.ip(3), 6881));
        return boot;
    }

    /** How a {@link HollowNode} answers a {@code put}: acknowledged, refused with a KRPC error, or not at all. */
    enum PutAnswer { ACK, ERROR, NONE }

    /**
     * A DHT node that is not one: answers every KRPC query with its {@code id}, a {@code token}
     * and the {@code nodes} it is given, answers every {@code put} as {@code onPut} says, and
     * stores nothing.
     */
    static final class HollowNode implements AutoCloseable {
        private final DatagramSocket socket;
        private final byte[] id;
        private final PutAnswer onPut;
        volatile byte[] nodes = new byte[0];
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger gets = new AtomicInteger();

        HollowNode(InetSocketAddress at, byte[] id, PutAnswer onPut) throws java.net.SocketException {
            this.socket = new DatagramSocket(at);
            this.id = id;
            this.onPut = onPut;
            Thread t = new Thread(this::serve, "hollow-dht-node");
            t.setDaemon(true);
            t.start();
        }

        /** This node as a {@code nodes} entry: id, IPv4 address, port. */
        byte[] compact() {
            InetAddress a = socket.getLocalAddress();
            return ByteBuffer.allocate(26).put(id).put(a.getAddress()).putShort((short) socket.getLocalPort()).array();
        }

        private void serve() {
            byte[] buf = new byte[8192];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    Map<String, Object> query = new BDecoder().decode(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                    if (!(query.get("y") instanceof byte[] y) || !"q".equals(new String(y, StandardCharsets.ISO_8859_1))) {
                        continue;
                    }
                    String method = new String((byte[]) query.get("q"), StandardCharsets.ISO_8859_1);
                    (switch (method) {
                        case "put" -> puts;
                        case "get" -> gets;
                        default -> new AtomicInteger();
                    }).incrementAndGet();
                    boolean put = method.equals("put");
                    if (put && onPut == PutAnswer.NONE) {
                        continue;
                    }
                    Map<String, Object> msg = new LinkedHashMap<>();
                    msg.put("t", query.get("t"));
                    if (put && onPut == PutAnswer.ERROR) {
                        msg.put("y", "e");
                        msg.put("e", List.of(201L, "Generic Error"));
                    } else {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("id", id);
                        r.put("nodes", nodes);
                        r.put("token", "tok1".getBytes(StandardCharsets.UTF_8));
                        msg.put("y", "r");
                        msg.put("r", r);
                    }
                    ByteBuffer out = new BEncoder().encode(msg, 4096);
                    byte[] bytes = new byte[out.remaining()];
                    out.get(bytes);
                    socket.send(new DatagramPacket(bytes, bytes.length, p.getSocketAddress()));
                } catch (java.io.IOException | RuntimeException e) {
                    if (!socket.isClosed()) {
                        NamespaceChecks.say("hollow node: " + e);
                    }
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
