package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.overlay.NamespaceChecks.boot;
import static org.rproxy.overlay.NamespaceChecks.describe;
import static org.rproxy.overlay.NamespaceChecks.joined;
import static org.rproxy.overlay.NamespaceChecks.key;
import static org.rproxy.overlay.NamespaceChecks.node;
import static org.rproxy.overlay.NamespaceChecks.say;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import org.rproxy.client.ClientException;
import org.rproxy.client.OverlayOnlySources;

/**
 * Namespace checks ({@link NamespaceChecks}) of how long a viewer waits before it asks a server
 * when the overlay has no copy for it, in a DHT where a node lists one that is gone (as nodes of
 * the mainline DHT list many): such a node is asked twice and taken for lost, and its requests
 * stay "on their way" until mldht's timeout. The wait for late answers ({@link LateAnswers}) is
 * for nodes heard from, or while answers come late ({@link AnswerDelays}); before, every lookup
 * of something the DHT does not hold waited it out for the gone node as well.
 */
final class GoneNodeChecks {
    /** Where the gone node is listed: a socket that reads and never answers. */
    private static final String GONE = "100.64.0.11";
    /** Where the gone node listed in answers to peer lookups ({@code get_peers}) is: another socket that never answers. */
    private static final String GONE_PEERS = "100.64.0.12";
    /** Where the gone node listed in answers to {@code get} is once the first fetch ended: a third such socket. */
    private static final String GONE_LATER = "100.64.0.13";

    private GoneNodeChecks() {
    }

    /**
     * Host 2 answers every {@code get} listing a node closest to the target at {@link #GONE} (at
     * {@link #GONE_LATER} once the first fetch ended, so that the second fetch's pointer lookup
     * meets a gone node no lookup of the client gave up yet), and every {@code get_peers} one at
     * {@link #GONE_PEERS}, where nothing answers; host 1 publishes,
     * host 3 is the client. The client's fetch of a resource no publisher points to must end in a
     * pull within {@code UNKNOWN_STALL_MS + WAIT_MS - 500} ms (3.5 s) of the gone node's last get
     * request: before, the lookup gave the gone node up once that request stalled (1.5 s) and then
     * waited {@link LateAnswers#WAIT_MS} more for its answer, so it never ended sooner than 4 s
     * after it. And its fetch of a resource whose pointer names a torrent nobody seeds (three
     * lookups of its peers) must end in a pull within 12 s, the first peer lookup giving the gone
     * node up and the ones after it leaving it out ({@link AnswerDelays#skips}), and the 5 s of
     * empty lookups counted from the first one's start ({@link SeederWatch#looking}): 8.5 s, within
     * a client's default budget of 10 s. Before, each of them asked it twice, 3 s each, and the
     * fetch took 13.9 s (21.0 s while each also waited for its answer); with the first change
     * alone, 11.4 s.
     */
    static void aViewerWhoseOverlayHasNoCopyIsNotHeldByANodeThatIsGone(Path dir) throws Exception {
        NamespaceChecks.onLoopback(GONE);
        NamespaceChecks.onLoopback(GONE_PEERS);
        NamespaceChecks.onLoopback(GONE_LATER);
        AtomicInteger getsTo = new AtomicInteger(11);
        AtomicInteger laterGets = new AtomicInteger();
        AtomicInteger heard = new AtomicInteger();
        AtomicLong lastGet = new AtomicLong();
        AtomicInteger peerLookups = new AtomicInteger();
        BiFunction<Map<String, Object>, Map<String, Object>, Map<String, Object>> listsTheGoneNode = (q, r) -> {
            byte[] id = ((byte[]) q.get(q.containsKey("info_hash") ? "info_hash" : "target")).clone();
            id[19] ^= 1;
            byte[] at = {100, 64, 0, (byte) (q.containsKey("info_hash") ? 12 : getsTo.get())};
            r.put("nodes", ByteBuffer.allocate(26).put(id).put(at).putShort((short) 6881).array());
            return r;
        };
        try (DatagramSocket gone = silent(new InetSocketAddress(GONE, 6881), heard, lastGet, new AtomicInteger());
             DatagramSocket gonePeers = silent(new InetSocketAddress(GONE_PEERS, 6881), new AtomicInteger(), new AtomicLong(),
                     peerLookups);
             DatagramSocket goneLater = silent(new InetSocketAddress(GONE_LATER, 6881), laterGets);
             HostileDhtChecks.HostileNode lister = new HostileDhtChecks.HostileNode(
                     new InetSocketAddress(NamespaceChecks.ip(2), 6881), listsTheGoneNode);
             OverlayPublisher pub = OverlayPublisher.start(NothingFoundChecks.config(dir, 1, key(dir, 1), boot(1, 2, 3),
                     NamespaceChecks.BUDGET));
             OverlayClient client = OverlayClient.start(NothingFoundChecks.config(dir, 3, null, boot(1, 2, 3),
                     NamespaceChecks.BUDGET))) {
            joined(pub, client);
            say("host 2, which lists the gone nodes at " + gone.getLocalSocketAddress() + " and "
                    + gonePeers.getLocalSocketAddress() + " (and later " + goneLater.getLocalSocketAddress() + "), answered " + lister.queries()
                    + " queries while the nodes joined");
            OverlayOnlySources sources = new OverlayOnlySources(NamespaceChecks.directory(List.of(pub.publicKey())),
                    List.of(NamespaceChecks.ORIGIN.publicKey()), client);

            fetchMillis(sources, "/networkmap/map-a", "no pointer from publishers " + pub.publicKey());
            long afterLastGet = (System.nanoTime() - lastGet.get()) / 1_000_000;
            // the lookup gives the gone node up once its second get stalled (UNKNOWN_STALL_MS after it
            // was sent); a wait for its answer ends WAIT_MS after that, at the earliest
            long bound = LateAnswers.UNKNOWN_STALL_MS + LateAnswers.WAIT_MS - 500;
            say("the fetch with no pointer went on to pull " + afterLastGet + " ms after the gone node's last get");
            if (onTime(client)) {
                // on a loaded host, host 2's answer, which lists the gone node, may itself come too late
                assertTrue(heard.get() > 0 && lastGet.get() != 0, "the gone node was asked (else this check proves nothing)");
                assertTrue(afterLastGet < bound, "a fetch the overlay has no pointer for went on to pull " + afterLastGet
                        + " ms after the gone node's last get request (expected: under " + bound + " ms, given up once"
                        + " that request stalled, without waiting for its answer)");
            }

            byte[] nowhere = new byte[20];
            new SecureRandom().nextBytes(nowhere);
            Pointer p = new Pointer(NamespaceChecks.key(pub).publicKey(), "map-b", Instant.now().getEpochSecond(), nowhere, 600);
            say("put: " + node(pub).dht().put(p.sign(NamespaceChecks.key(pub))).get(60, TimeUnit.SECONDS));
            heard.set(0);
            getsTo.set(13);
            peerLookups.set(0);
            long unseeded = fetchMillis(sources, "/networkmap/map-b", "nobody seeds it (");
            say("requests the gone nodes got during the unseeded fetch: " + heard.get() + " (" + GONE + "), "
                    + laterGets.get() + " (" + GONE_LATER + "), " + peerLookups.get() + " get_peers (" + GONE_PEERS + ")");
            if (onTime(client)) {
                assertTrue(peerLookups.get() <= LookupCandidate.ATTEMPTS, "the peer lookups asked the gone node "
                        + peerLookups.get() + " times (expected: at most " + LookupCandidate.ATTEMPTS
                        + ", by the first; the next leave out the node it gave up)");
                assertTrue(unseeded < 12_000, "a fetch of a torrent nobody seeds went on to pull after " + unseeded
                        + " ms (expected: under 12 s, the peer lookups after the first not asking the node it gave up)");
            }
        }
    }

    /**
     * Whether answers to the client's lookups came on time, this check's premise: on a host so
     * loaded that the honest nodes' answers came after their requests stalled, the lookups rightly
     * wait for every node, the gone one too ({@link AnswerDelays}), and the bounds do not apply.
     */
    private static boolean onTime(OverlayClient client) throws Exception {
        boolean late = node(client).dht().answersCameLate();
        if (late) {
            say("answers to the client's lookups came late (a loaded host): its lookups waited for every node; bound not checked");
        }
        return !late;
    }

    /** Fetches {@code target} through the overlay alone; checks it went on to pull for {@code why}; returns its millis. */
    private static long fetchMillis(OverlayOnlySources sources, String target, String why) {
        long start = System.nanoTime();
        Object got = sources.fetch(target);
        long ms = (System.nanoTime() - start) / 1_000_000;
        String said = describe(got);
        say("fetch " + target + " took " + ms + " ms: " + said);
        assertTrue(got instanceof ClientException, said);
        assertTrue(said.contains(why), "expected " + why + " in: " + said);
        assertTrue(said.contains("http://127.0.0.1:1" + target + ": unreachable"), "went on to pull: " + said);
        return ms;
    }

    /** A socket at {@code at} that reads every datagram, counting them in {@code heard}, and never answers. */
    static DatagramSocket silent(InetSocketAddress at, AtomicInteger heard) throws java.net.SocketException {
        return silent(at, heard, new AtomicLong(), new AtomicInteger());
    }

    /**
     * As {@link #silent(InetSocketAddress, AtomicInteger)}, setting {@code lastGet} (nanoTime) at
     * each BEP 44 get and counting each BEP 5 get_peers in {@code peerLookups}.
     */
    private static DatagramSocket silent(InetSocketAddress at, AtomicInteger heard, AtomicLong lastGet,
            AtomicInteger peerLookups) throws java.net.SocketException {
        DatagramSocket s = new DatagramSocket(at);
        Thread t = new Thread(() -> {
            DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
            while (!s.isClosed()) {
                try {
                    s.receive(d);
                    heard.incrementAndGet();
                    String m = new String(d.getData(), 0, d.getLength(), StandardCharsets.ISO_8859_1);
                    if (m.contains("1:q3:get")) {
                        lastGet.set(System.nanoTime());
                    } else if (m.contains("1:q9:get_peers")) {
                        peerLookups.incrementAndGet();
                    }
                } catch (java.io.IOException closed) {
                    return;
                }
            }
        }, "silent-" + at);
        t.setDaemon(true);
        t.start();
        return s;
    }
}
