package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.slf4j.LoggerFactory;

import lbms.plugins.mldht.kad.GenericStorage;
import lbms.plugins.mldht.kad.GenericStorage.StorageItem;

/**
 * A {@link NamespaceChecks} of a DHT node sent malformed KRPC messages (every field of a query
 * of the wrong type, missing, too large, nested deeply), a few a second from one host: the node
 * must go on serving the honest nodes, nothing escape its handlers into the log as a warning
 * per datagram, and what it stores for others stay what honest puts stored. Run as it is.
 */
final class MalformedKrpcChecks {
    private MalformedKrpcChecks() {
    }

    static void malformedMessagesAreDroppedAndTheNodeGoesOn(Path dir) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        root.addAppender(lines);
        List<InetSocketAddress> boot = OverlayNode.addresses(NamespaceChecks.boot(1, 3));
        try (DhtNode target = NamespaceChecks.dhtNode(1, dir, boot);
             DhtNode honest = NamespaceChecks.dhtNode(3, dir, boot);
             DatagramSocket hostile = new DatagramSocket(new InetSocketAddress(NamespaceChecks.ip(2), 6881))) {
            target.joined().get(60, TimeUnit.SECONDS);
            honest.joined().get(60, TimeUnit.SECONDS);
            List<byte[]> junk = junk();
            InetSocketAddress to = new InetSocketAddress(NamespaceChecks.ip(1), 6881);
            for (byte[] d : junk) {
                hostile.send(new DatagramPacket(d, d.length, to));
                // under mldht's per-address throttle (a burst of 10, then about 2 a second), so each is read
                Thread.sleep(400);
            }
            NamespaceChecks.say("sent " + junk.size() + " malformed datagrams to node 1");
            DhtKey key = DhtKeys.fresh();
            byte[] salt = "map-a".getBytes(StandardCharsets.UTF_8);
            Stored put = honest.put(GenericStorage.buildMutable("pointer", key.privateKey(), salt, 3)).get(60, TimeUnit.SECONDS);
            Optional<StorageItem> got = target.get(key.publicKey(), salt).get(60, TimeUnit.SECONDS);
            List<String> warnings;
            synchronized (lines.list) {
                warnings = lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()
                                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName()))
                        .toList();
            }
            NamespaceChecks.say("after them: node 3's put " + put + ", node 1's get " + got.map(i -> "seq " + i.seq())
                    .orElse("none") + ", node 1 stores " + target.storedItems() + " items, " + target.storedPeers()
                    + " peer entries; WARN lines: " + warnings.size() + " " + warnings);
            assertEquals(1, put.nodes(), "node 1 took node 3's put");
            assertEquals(Optional.of(3L), got.map(StorageItem::seq), "node 1's get");
            assertEquals(1, target.storedItems(), "items node 1 stores: the honest put's alone");
            assertEquals(0, target.storedPeers(), "peer entries node 1 counts: none of the junk");
            assertTrue(warnings.size() < 3, "WARN lines for " + junk.size() + " malformed datagrams: " + warnings);
        } finally {
            root.detachAppender(lines);
        }
    }

    /**
     * From 40 ports of one host, pings under 200 made-up node ids, then 200 answers-less
     * {@code find_node}s, over some 20 s: node 1's routing table must keep node 3 (which
     * answered it) and take the flooding host under one entry at most; node 1's lookups must
     * still reach node 3, and not wait out mldht's timeouts for the made-up entries (one host's
     * pings made every lookup take 16 s instead of 0.1).
     */
    static void madeUpIdsFromOneHostDoNotPushHonestNodesOut(Path dir) throws Exception {
        List<InetSocketAddress> boot = OverlayNode.addresses(NamespaceChecks.boot(1, 3));
        List<DatagramSocket> sockets = new ArrayList<>();
        try (DhtNode target = NamespaceChecks.dhtNode(1, dir, boot);
             DhtNode honest = NamespaceChecks.dhtNode(3, dir, boot)) {
            target.joined().get(60, TimeUnit.SECONDS);
            honest.joined().get(60, TimeUnit.SECONDS);
            InetSocketAddress honestAt = new InetSocketAddress(NamespaceChecks.ip(3), 6881);
            NamespaceChecks.waitFor(() -> table(target).contains(honestAt), 30);
            assertTrue(table(target).contains(honestAt), "node 3 in node 1's table to begin with: " + table(target));
            long before = lookupMillis(target);
            for (int i = 0; i < 40; i++) {
                sockets.add(new DatagramSocket(new InetSocketAddress(NamespaceChecks.ip(2), 30000 + i)));
            }
            InetSocketAddress to = new InetSocketAddress(NamespaceChecks.ip(1), 6881);
            SecureRandom random = new SecureRandom();
            for (int round = 0; round < 10; round++) {
                for (int i = 0; i < 40; i++) {
                    byte[] id = new byte[20];
                    random.nextBytes(id);
                    String q = round % 2 == 0 ? "4:ping" : "9:find_node";
                    String args = round % 2 == 0 ? "" : "6:target20:" + "t".repeat(20);
                    byte[] d = ("d1:ad2:id20:" + new String(id, StandardCharsets.ISO_8859_1) + args + "e1:q" + q
                            + "1:t2:" + (char) ('a' + round) + (char) ('a' + i % 26) + "1:y1:qe").getBytes(StandardCharsets.ISO_8859_1);
                    sockets.get(i).send(new DatagramPacket(d, d.length, to));
                }
                Thread.sleep(2000);
            }
            List<InetSocketAddress> table = table(target);
            long flooding = table.stream().filter(a -> a.getAddress().getHostAddress().equals(NamespaceChecks.ip(2))).count();
            NamespaceChecks.say("node 1's table after 400 messages under made-up ids: " + table.size() + " entries, "
                    + flooding + " of the flooding host; " + table);
            assertTrue(table.contains(honestAt), "node 3 still in node 1's table: " + table);
            assertTrue(flooding <= 1, "entries of the flooding host in node 1's table: " + table);
            long after = lookupMillis(target);
            NamespaceChecks.say("node 1's peer lookups took " + before + " ms before the flood, " + after + " ms after");
            // a never-answering entry of the flooding host is given up after LateAnswers'
            // UNKNOWN_STALL_MS, twice (and a lookup that found nothing waits LateAnswers.WAIT_MS
            // more for it only while answers come late, AnswerDelays); mldht's own timeout made it
            // 16 s, past a client's default budget, which bounds it here with room for a loaded build host
            assertTrue(after < OverlayConfig.DEFAULT_BUDGET.toMillis(), "a lookup after the flood took " + after
                    + " ms: past a client's default budget of " + OverlayConfig.DEFAULT_BUDGET);
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    /** How long a peer lookup of a random infohash by {@code node} takes, which node 3 must answer. */
    private static long lookupMillis(DhtNode node) throws Exception {
        byte[] infoHash = new byte[20];
        new SecureRandom().nextBytes(infoHash);
        long start = System.nanoTime();
        PeersFound found = node.peers(infoHash).get(60, TimeUnit.SECONDS);
        assertTrue(found.answered() >= 1, "node 3 answered node 1's lookup");
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The addresses of the entries of {@code node}'s routing table proper (nodes that answered it). */
    private static List<InetSocketAddress> table(DhtNode node) {
        return DhtRestartChecks.mldht(node).getNode().table().stream()
                .flatMap(e -> e.getBucket().getEntries().stream()).map(e -> e.getAddress()).toList();
    }

    /** Malformed KRPC messages: each a query or answer with one thing wrong, or no message at all. */
    private static List<byte[]> junk() {
        String id = "i".repeat(20);
        String t = "1:t2:aa";
        List<String> m = new ArrayList<>();
        m.add("hello");
        m.add("l".repeat(4000));
        m.add("d1:ad2:id20:" + id + "e1:q4:ping" + t + "1:y1:q" + "d".repeat(3000));
        m.add("i" + "9".repeat(400) + "e");
        m.add("d1:ad2:idi5ee1:q4:ping" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "e1:q4:ping1:y1:qe");
        m.add("d1:ad2:id20:" + id + "e1:q3:foo" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "6:target5:abcdee1:q3:get" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "9:info_hashli1eee1:q9:get_peers" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "5:token4:abcde1:q3:put" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "5:token4:abcd1:v2000:" + "x".repeat(2000) + "e1:q3:put" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "1:k31:" + "k".repeat(31) + "3:seqi1e3:sig64:" + "s".repeat(64)
                + "5:token4:abcd1:v1:xe1:q3:put" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "1:k32:" + "k".repeat(32) + "3:seqi" + "9".repeat(30) + "e3:sig64:" + "s".repeat(64)
                + "5:token4:abcd1:v1:xe1:q3:put" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "1:k32:" + "k".repeat(32) + "4:salt100:" + "s".repeat(100) + "3:seqi-5e3:sig64:"
                + "s".repeat(64) + "5:token4:abcd1:v1:xe1:q3:put" + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "9:info_hash20:" + "h".repeat(20) + "4:porti-1e5:token4:abcde1:q13:announce_peer"
                + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "9:info_hash20:" + "h".repeat(20) + "4:porti70000e5:token4:abcde1:q13:announce_peer"
                + t + "1:y1:qe");
        m.add("d1:ad2:id20:" + id + "9:info_hash20:" + "h".repeat(20) + "4:porti6881e5:tokenli1eee1:q13:announce_peer"
                + t + "1:y1:qe");
        m.add("d1:rd2:id20:" + id + "5:nodes7:garbagee" + "1:t2:zz1:y1:re");
        m.add("d1:eli201e" + "x".repeat(3000) + "e" + t + "1:y1:ee");
        m.add("d1:y1:q1:y1:r1:q4:pinge");
        m.add("d1:ad2:id20:" + id + "e1:q4:ping" + t + "1:y1:q1:a1:xe");
        List<byte[]> out = new ArrayList<>();
        for (String s : m) {
            out.add(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        big.writeBytes(("d1:ad2:id20:" + id + "6:target20:" + "t".repeat(20) + "e1:q3:get" + t + "1:y1:q1:z6000:")
                .getBytes(StandardCharsets.ISO_8859_1));
        big.writeBytes(new byte[6000]);
        big.writeBytes("e".getBytes(StandardCharsets.ISO_8859_1));
        out.add(big.toByteArray());
        return out;
    }
}
