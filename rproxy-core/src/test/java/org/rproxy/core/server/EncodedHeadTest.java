package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.RepresentationStore;
import org.rproxy.core.store.Variant;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * A 200 head shared by the responses of one second is encoded once, when a second response takes
 * it, and from then on written as those bytes: the same bytes Netty's encoder writes, and the
 * same responses on the wire whether the body is in memory or sent from its spooled file,
 * pipelined with a HEAD, a 304 and a closing request, in the clear and over TLS. Real servers on
 * loopback.
 */
class EncodedHeadTest {
    /** Half past a second: heads are shared (the instant a second starts is not). */
    private static final Instant HALF_PAST = EmbeddedFrontEnd.NOW.plusMillis(500);
    private static final byte[] BIG = random(200_000, 7);
    private static final byte[] BIG_GZ = random(80_000, 8);

    @TempDir
    Path dir;
    private AltoHttpServer server;
    private BodySpool spool;
    private RepresentationStore<String> store;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (spool != null) {
            spool.close();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Representation big() {
        return new Representation(
                new Variant(Bytes.copyOf(BIG), null, Fixtures.signedHeaders(Fixtures.IDENTITY_TAG, "id")),
                new Variant(Bytes.copyOf(BIG_GZ), "gzip", Fixtures.signedHeaders(Fixtures.GZIP_TAG, "gz")),
                300, EmbeddedFrontEnd.NOW.minusSeconds(10), EmbeddedFrontEnd.NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void theEncodedHeadIsWhatNettysEncoderWrites() {
        HttpHeaders headers = ((DefaultHttpResponse) new ResponseRenderer(Clock.fixed(HALF_PAST, ZoneOffset.UTC))
                .render(new RequestHead("GET", "/doc", true, false, true, null, 0), Reply.ok(Fixtures.withGzip()),
                        List.of(), null)).headers();
        headers.add("x-plain-string", "a value, with \"quotes\"");
        headers.add("x-not-ascii", "caf\u00e9 \u20ac"); // obs-text, and a char beyond a byte
        headers.add("x-number", 42);
        EmbeddedChannel encoder = new EmbeddedChannel(new HttpResponseEncoder());
        encoder.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, headers));
        ByteBuf netty = encoder.readOutbound();
        ByteBuf ours = PreparedFields.SharedHead.encode(headers);
        try {
            assertEquals(netty.toString(StandardCharsets.US_ASCII), ours.toString(StandardCharsets.US_ASCII));
            assertArrayEquals(ByteBufUtil.getBytes(netty), ByteBufUtil.getBytes(ours));
        } finally {
            netty.release();
            encoder.finishAndReleaseAll();
        }
    }

    @Test
    void aSharedHeadIsEncodedOnceASecondResponseTakesItAndEachWriteGetsAViewOfItsOwn() {
        PreparedFields prepared = new PreparedFields();
        Representation r = Fixtures.withGzip();
        Variant v = r.identity();
        PreparedFields.SharedHead head = prepared.okHead(r, v, HALF_PAST, () -> fields(prepared, v));
        assertNull(head.encoded(), "the first response is encoded as usual");
        ByteBuf second = head.encoded();
        ByteBuf third = prepared.okHead(r, v, HALF_PAST.plusMillis(100), () -> fields(prepared, v)).encoded();
        assertNotNull(second);
        assertNotSame(second, third);
        assertEquals(second, third);
        second.skipBytes(10);
        assertEquals(0, third.readerIndex(), "views move alone");
        assertTrue(second.isDirect(), "written without a copy");
        int before = third.refCnt();
        third.release();
        assertEquals(before, head.encoded().refCnt(), "releasing a view frees nothing");
        assertNull(prepared.okHead(r, v, EmbeddedFrontEnd.NOW.plusSeconds(1), () -> fields(prepared, v)).encoded(),
                "the instant a second starts has a head of its own, written once");
    }

    private static HttpHeaders fields(PreparedFields prepared, Variant v) {
        return new io.netty.handler.codec.http.DefaultHttpHeaders().add(prepared.of(v));
    }

    @Test
    void pipelinedResponsesFromMemoryAreTheSameBytesWhetherTheirHeadWasEncodedOrShared() throws Exception {
        start(null);
        exchange();
    }

    @Test
    void pipelinedResponsesFromTheSpoolAreTheSameBytesWhetherTheirHeadWasEncodedOrShared() throws Exception {
        spool = BodySpool.open(dir, 64 * 1024);
        start(spool);
        exchange();
    }

    @Test
    void overTlsTheEncodedHeadAndTheBodyFromMemoryAreEncryptedAsAnyResponse() throws Exception {
        TestCertificates cert = TestCertificates.make(dir, "server");
        RepresentationStore<String> store = RepresentationStore.boundedBy(1 << 26);
        store.put("doc", big());
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0)
                        .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))),
                request -> CompletableFuture.completedFuture(Reply.ok(store.get("doc"))), RequestObserver.noop(),
                Clock.fixed(HALF_PAST, ZoneOffset.UTC));
        SSLSocket s = (SSLSocket) cert.trustingContext().getSocketFactory()
                .createSocket("127.0.0.1", server.localAddress().getPort());
        try (s) {
            s.setSoTimeout(10_000);
            SSLParameters http11 = s.getSSLParameters();
            http11.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(http11);
            exchange(s);
        }
    }

    @Test
    void aSpooledBodySentBehindASharedHeadLetsItsFileGoOnceTheRepresentationLeaves() throws Exception {
        spool = BodySpool.open(dir, 64 * 1024);
        start(spool);
        exchange();
        assertTrue(spool.sends() >= 7, "sent from the spool: " + spool.sends());
        assertEquals(BIG.length + BIG_GZ.length, spool.spooledBytes());
        store.remove("doc");
        // every response was written whole and the connection closed: nothing holds the files
        assertTrue(SpooledBodyResponseTest.await(() -> spool.spooledBytes() == 0),
                "the files of a representation no longer held, after its last send: " + spool.spooledBytes() + " bytes");
    }

    private void start(BodySpool files) {
        // As in service: the store prepares the bodies (a direct copy, or the spool file).
        store = files == null ? RepresentationStore.boundedBy(1 << 26)
                : RepresentationStore.boundedBy(1 << 26, files);
        store.put("doc", big());
        FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0);
        server = AltoHttpServer.start(files == null ? config : config.withSpool(files),
                request -> CompletableFuture.completedFuture(Reply.ok(store.get("doc"))), RequestObserver.noop(),
                Clock.fixed(HALF_PAST, ZoneOffset.UTC));
    }

    private void exchange() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            exchange(s);
        }
    }

    private static void exchange(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        String get = "GET /doc HTTP/1.1\r\nHost: a\r\n\r\n";
        String gzip = "GET /doc HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n";
        out.write((get + get + gzip + gzip + get + "HEAD /doc HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /doc HTTP/1.1\r\nHost: a\r\nIf-None-Match: " + Fixtures.IDENTITY_TAG + "\r\n\r\n"
                + gzip + "GET /doc HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        List<String> identityHeads = new ArrayList<>();
        List<String> gzipHeads = new ArrayList<>();
        identityHeads.add(body(in, BIG));
        identityHeads.add(body(in, BIG));
        gzipHeads.add(body(in, BIG_GZ));
        gzipHeads.add(body(in, BIG_GZ));
        identityHeads.add(body(in, BIG));
        String head = SocketReads.readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 200") && head.contains("content-length: " + BIG.length), head);
        String notModified = SocketReads.readHead(in);
        assertTrue(notModified.startsWith("HTTP/1.1 304"), notModified);
        gzipHeads.add(body(in, BIG_GZ));
        String closing = body(in, BIG);
        assertTrue(closing.toLowerCase(Locale.ROOT).contains("connection: close"), closing);
        assertEquals(-1, in.read(), "closed after the last answer");
        // The first of each variant went through the encoder, the others were its shared bytes.
        assertEquals(1, identityHeads.stream().distinct().count(), identityHeads.toString());
        assertEquals(1, gzipHeads.stream().distinct().count(), gzipHeads.toString());
        assertTrue(gzipHeads.get(0).toLowerCase(Locale.ROOT).contains("content-encoding: gzip"), gzipHeads.get(0));
    }

    /** Reads a 200 with {@code expected} as its body; returns its head. */
    private static String body(InputStream in, byte[] expected) throws Exception {
        String head = SocketReads.readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
        assertTrue(head.contains("content-length: " + expected.length + "\r\n"), head);
        assertArrayEquals(expected, in.readNBytes(expected.length));
        return head;
    }
}
