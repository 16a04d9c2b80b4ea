package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Meter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * Clients that POST a large filtered map to a pull proxy forwarding queries ({@code queries:
 * upstream}) and never read, over plain HTTP/1.1: the relayed answer is held once, in the proxy's
 * store (its heap bytes and one off-heap copy, weighed by {@code cache.max-bytes}), and every
 * response is written from that shared copy, so a non-reader holds no copy of its own: neither in
 * Netty's allocator, nor in the JDK's direct buffers, nor on the heap. Both ways the store keeps
 * the copy: a direct buffer (the spool off) and a spool file sent with sendfile (the default, the
 * answer being above {@code cache.spool-min-bytes}). Measured with 30 non-readers and a 1.2 MB
 * answer: about 4 KB each of allocator chunks and 4 KB of heap (a copy each would be 1.2 MB).
 * The path is checked as well as the memory: a copy per response in parts stays within the node's
 * bound on pending answers, which the memory checks alone would not tell from the shared copy.
 */
class RelayedAnswersBoundIT {

    private static final int NON_READERS = 30;
    private static final String BIG = "/networkmap/big-network-map";
    private static final String FILTER = "{\"pids\":[]}";
    /** Well under one copy of the 1.2 MB answer for all the non-readers together. */
    private static final long HELD_AT_MOST = 1L << 20;
    /**
     * The JDK's direct buffers outside Netty's allocator: three copies' worth for thirty
     * non-readers (a copy each would be 36 MB; with one made on purpose it was 34 MB). Under load
     * (2 runs of 5 at load 20), 2 to 4 more JDK direct buffers of 1.3 to 1.5 MB in all were there
     * after the run with no store miss, no refetch and the allocator's count up 0.1 MB; what makes
     * them is not found. Whether each answer is written from the shared copy is checked apart
     * (nothing pending or deferred, sends from the spool file).
     */
    private static final long JDK_DIRECT_AT_MOST = 4L << 20;
    /** What Netty's allocator holds beyond the bytes in use (its chunks, per event loop), as in {@code CopiedAnswersBoundIT}. */
    private static final long ALLOCATOR_SLACK = 12L << 20;

    @TempDir
    Path dir;
    private Origin origin;
    private PullProxy proxy;
    private final List<Socket> nonReaders = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : nonReaders) {
            s.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @ParameterizedTest(name = "spool {0}")
    @ValueSource(booleans = {false, true})
    void clientsThatNeverReadARelayedAnswerHoldNoCopyOfIt(boolean spool) throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        Files.writeString(maps.resolve("big-network-map.json"), OriginEndToEndIT.bigNetworkMap(30_000)); // ~1.2 MB
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv, Duration.ofHours(1),
                Duration.ofSeconds(60), List.of(), "origin", null));
        ProxyConfig config = Proxies.config("relay", origin.baseUri(), pub).withQueries(ProxyConfig.Queries.UPSTREAM)
                .withListen(new ListenConfig(new Address("127.0.0.1", 0), null, null, ByteSize.ofBytes(64 * 1024),
                        null, null, ByteSize.ofBytes(1L << 20), null));
        config = config.withCache(config.cache().withSpool(spool, spool ? Files.createDirectories(dir.resolve("spool")) : null));
        proxy = PullProxy.start(config, Clock.systemUTC());
        HttpResponse<String> first = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + BIG
                        + "/filtered")).header("Content-Type", "application/alto-networkmapfilter+json")
                .POST(HttpRequest.BodyPublishers.ofString(FILTER)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, first.statusCode());
        assertTrue(first.body().contains("\"pop-29999\""), "the whole answer, relayed");
        byte[] post = ("POST " + BIG + "/filtered HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/alto-networkmapfilter+json\r\nContent-Length: " + FILTER.length()
                + "\r\n\r\n" + FILTER).getBytes(StandardCharsets.US_ASCII);
        // The measure starts once an answer has come from the store, whose direct copy is then made.
        assertTrue(Proxies.await(this::answeredFromTheStore, 20), "the relayed answer held in the store");
        if (spool) {
            // its file, not the spool's own directory, which the parent holds whatever is spooled
            assertTrue(meter("rproxy.store.spooled.bytes") >= first.body().length(), "the relayed answer spooled: "
                    + meter("rproxy.store.spooled.bytes") + " bytes");
        } else {
            assertNull(proxy.spoolDirectory(), "no spool");
        }
        double sendsBefore = spool ? meter("rproxy.store.spool.sends") : 0;
        double postsBefore = Proxies.count(proxy.registry(), "rproxy.requests", "method", "POST");
        long allocatorBefore = allocatorUsed();
        long jdkBefore = jdkDirectOutsideAllocator();
        long heapBefore = SlowReaderOrigin.heapAfterGc();
        for (int i = 0; i < NON_READERS; i++) {
            Socket s = new Socket();
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", proxy.address().getPort()), 5000);
            nonReaders.add(s);
            OutputStream out = s.getOutputStream();
            out.write(post);
            out.flush();
        }
        // every answer handed to its connection (the front end counts a response when it writes it)
        assertTrue(Proxies.await(() -> Proxies.count(proxy.registry(), "rproxy.requests", "method", "POST")
                >= postsBefore + NON_READERS, 20), "the non-readers' answers written");
        long allocator = allocatorUsed() - allocatorBefore;
        long jdk = jdkDirectOutsideAllocator() - jdkBefore;
        long heap = SlowReaderOrigin.heapAfterGc() - heapBefore;
        // The path taken, besides what it held: with the spool each answer went out from its file,
        // and no answer went out as a copy in parts (which the bound on pending answers would keep
        // within the allocator's slack, so the memory checks alone pass it).
        if (spool) {
            assertTrue(meter("rproxy.store.spool.sends") - sendsBefore >= NON_READERS, "answers sent from the spool file: "
                    + (meter("rproxy.store.spool.sends") - sendsBefore));
        }
        assertEquals(0.0, meter("rproxy.answers.pending"), "bytes of answers copied for their response, pending");
        assertEquals(0.0, meter("rproxy.answers.deferred"), "answers that waited to be copied in parts");
        assertTrue(allocator <= ALLOCATOR_SLACK, "allocator's direct memory held by " + NON_READERS
                + " non-readers: " + allocator);
        assertTrue(jdk <= JDK_DIRECT_AT_MOST, "JDK direct buffers held by " + NON_READERS + " non-readers: " + jdk);
        assertTrue(heap <= HELD_AT_MOST, "heap held by " + NON_READERS + " non-readers: " + heap);
    }

    /** Asks again; true when the answer came from the store (a cache hit). */
    private boolean answeredFromTheStore() {
        double hits = Proxies.count(proxy.registry(), "rproxy.cache.hits");
        try {
            Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(proxy.baseUri() + BIG + "/filtered"))
                    .header("Content-Type", "application/alto-networkmapfilter+json")
                    .POST(HttpRequest.BodyPublishers.ofString(FILTER)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Proxies.count(proxy.registry(), "rproxy.cache.hits") > hits;
    }

    /** The value of the proxy's gauge or function counter {@code name}. */
    private double meter(String name) {
        Meter m = proxy.registry().get(name).meter();
        return m.measure().iterator().next().getValue();
    }

    private static long allocatorUsed() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    /**
     * The JDK's direct buffers less Netty's allocator: the store's direct copies
     * ({@code ByteBuffer.allocateDirect}). Netty 4.2's adaptive allocator takes its chunks with
     * {@code allocateDirect} too (it has no access to the cleaner-less constructor on Java 17), so
     * the JDK's pool counts them as well; a new chunk of the allocator's (1.5 MB at times) made the
     * check fail when it was the JDK's pool alone. The allocator's own growth is checked apart.
     */
    private static long jdkDirectOutsideAllocator() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum()
                - allocatorUsed();
    }
}
