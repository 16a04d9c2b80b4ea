package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;

/**
 * The client against a proxy that wants to fool or hurt it: a raw socket on loopback, listed in
 * the origin's directory, that answers with the origin's own signed responses taken apart and put
 * together again (a body changed after signing, fields repeated, moved or relabelled, another
 * document's or an expired or older signing made with the origin's real key), with answers that
 * are no document (a 304, a redirect to the origin, endless fields, endless interim answers,
 * signature fields in a chunked body's trailers, a body that never ends, a switch to HTTP/2).
 * Each time the client refuses it with the check that failed, within its timeout, and takes the
 * document from the next source (the origin), never the hostile bytes; only the genuine bytes
 * under genuine fields are taken from it, whatever trailers follow them.
 */
class HostileProxyTest {
    /** Room for a machine busy with other tests: a bootstrap there has taken over 3 s. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private ListedHostileSource lab;
    private RawSource hostile;
    private LocalOrigin origin;
    private AltoClient client;

    @BeforeEach
    void start() throws Exception {
        lab = ListedHostileSource.start(dir, TIMEOUT);
        hostile = lab.hostile;
        origin = lab.origin;
        client = lab.client;
    }

    @AfterEach
    void stop() throws IOException {
        if (lab != null) {
            lab.close();
        }
    }

    /** A response as the origin sent it: the fields by lower-case name (lines joined), and the body. */
    private record Genuine(Map<String, String> fields, byte[] body) {
        Genuine with(String name, String value) {
            Map<String, String> f = new LinkedHashMap<>(fields);
            if (value == null) {
                f.remove(name);
            } else {
                f.put(name, value);
            }
            return new Genuine(f, body);
        }

        Genuine withBody(byte[] other) {
            return new Genuine(fields, other);
        }

        /** The whole HTTP/1.1 answer: status 200, these fields, and the body by its length. */
        byte[] answer() {
            return answer("200 OK", List.of());
        }

        byte[] answer(String status, List<String> extraLines) {
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + "\r\n");
            fields.forEach((n, v) -> head.append(n).append(": ").append(v).append("\r\n"));
            extraLines.forEach(l -> head.append(l).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            return concat(ascii(head.toString()), body);
        }
    }

    private Genuine genuine(String target, boolean gzip) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(origin.uri() + target))
                .version(HttpClient.Version.HTTP_1_1);
        if (gzip) {
            req.header("Accept-Encoding", "gzip");
        }
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), "the origin serves " + target);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : List.of("content-type", "content-encoding", "content-digest", "etag", "alto-resource",
                "signature-input", "signature")) {
            r.headers().firstValue(name).ifPresent(v -> fields.put(name, v));
        }
        return new Genuine(fields, r.body());
    }

    /** The network map's genuine fields signed again with the origin's own key for another validity window. */
    private Genuine signedFor(Genuine g, Instant created, Instant expires) {
        SigningKey key = SigningKey.readPem(dir.resolve("origin.key"));
        SignatureHeaders h = new ResponseSigner(key).sign(g.fields().get("content-type"), g.fields().get("content-digest"),
                g.fields().get("etag"), g.fields().get("alto-resource"), created, expires);
        return g.with("signature-input", h.signatureInput()).with("signature", h.signature());
    }

    /** Fetches the network map and checks that it came from the origin after the hostile source was refused so. */
    private ClientException fetchFallingBack(Class<? extends ClientException> type, String words) {
        long start = System.nanoTime();
        VerifiedDocument d = client.fetch(LocalOrigin.NETWORK_MAP);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), d.source(), "taken from the origin");
        assertEquals(1, d.refused().size(), "the hostile source refused first: " + d.refused());
        ClientException first = d.refused().get(0);
        assertEquals(hostile.at(LocalOrigin.NETWORK_MAP), first.uri(), first.toString());
        assertInstanceOf(type, first, first.toString());
        assertTrue(first.getMessage().contains(words), first.getMessage());
        // the timeout, and some room for a machine busy with other tests
        assertTrue(took < TIMEOUT.toMillis() * 3, "refused within its timeout: took " + took + " ms");
        return first;
    }

    private void serve(byte[] answer) {
        hostile.script = (request, in, out) -> out.write(answer);
    }

    @Test
    void aBodyChangedAfterSigningIsRefusedAsADigestMismatch() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        String body = new String(g.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("128.36.1.0/24"), body);
        serve(g.withBody(body.replace("128.36.1.0/24", "128.36.9.0/24").getBytes(StandardCharsets.UTF_8)).answer());
        fetchFallingBack(ClientException.InvalidResponse.class, "DIGEST_MISMATCH");
    }

    @Test
    void aCoveredFieldSentTwiceIsRefused() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        // the verifier reads the lines joined, as HTTP combines them: not the value signed
        serve(g.answer("200 OK", List.of("Content-Type: " + g.fields().get("content-type"))));
        fetchFallingBack(ClientException.InvalidResponse.class, "BAD_SIGNATURE");
    }

    @Test
    void aSecondSignatureInputLineThatWidensTheWindowIsRefused() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        // a dictionary's last member of a name wins (RFC 8941): the second line's expires is what is checked
        String widened = g.fields().get("signature-input").replaceFirst("expires=\\d+", "expires=99999999999");
        serve(g.answer("200 OK", List.of("Signature-Input: " + widened)));
        fetchFallingBack(ClientException.InvalidResponse.class, "BAD_SIGNATURE");
    }

    @Test
    void aSignatureInputNamingAFieldTheResponseLacksIsRefused() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        String input = g.fields().get("signature-input").replace("\"alto-resource\")", "\"alto-resource\" \"via\")");
        serve(g.with("signature-input", input).answer());
        fetchFallingBack(ClientException.InvalidResponse.class, "\"via\" is missing from the response");
    }

    @Test
    void aGzipLabelOnTheIdentityBytesIsRefused() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        serve(g.with("content-encoding", "gzip").answer());
        fetchFallingBack(ClientException.InvalidResponse.class, "CODING_MISMATCH");
    }

    @Test
    void aGzipBombUnderTheGenuineFieldsIsRefusedWithoutBeingDecoded() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false).with("content-encoding", "gzip");
        // 256 MB of zeros in about 250 KB: the client asks for no coding and never decodes one
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                z.write(zeros);
            }
        }
        serve(g.withBody(bomb.toByteArray()).answer());
        fetchFallingBack(ClientException.InvalidResponse.class, "DIGEST_MISMATCH");
    }

    @Test
    void anotherDocumentsValidSignatureIsRefusedAsTheWrongResource() throws Exception {
        serve(genuine(LocalOrigin.COST_MAP, false).answer());
        fetchFallingBack(ClientException.InvalidResponse.class, "WRONG_RESOURCE");
    }

    @Test
    void theOriginsOwnSigningPastItsExpiryIsRefusedAndTheSourceBlamedOnceTheOriginsCopyIsValid() throws Exception {
        Instant now = Instant.now();
        serve(signedFor(genuine(LocalOrigin.NETWORK_MAP, false), now.minus(Duration.ofHours(2)),
                now.minus(Duration.ofHours(1))).answer());
        fetchFallingBack(ClientException.OutsideValidity.class, "expired");
        SourceStatus s = client.health().sources().get(0);
        assertEquals(URI.create(hostile.base()), s.source());
        assertEquals(1, s.recentFailures(), "stale, since the origin's copy was valid: " + s);
    }

    /**
     * A directory may carry several ALTO signatures (alto, alto-2 ...: a key rotation); one by a
     * key the client does not trust, valid now, beside the origin's expired one, rescues nothing:
     * the verdict is the trusted signature's, whose window is over.
     */
    @Test
    void aValidSignatureByAnotherKeyBesideTheOriginsExpiredOneIsRefusedAsExpired() throws Exception {
        Instant now = Instant.now();
        Genuine expired = signedFor(genuine(LocalOrigin.NETWORK_MAP, false), now.minus(Duration.ofHours(2)),
                now.minus(Duration.ofHours(1)));
        SigningKey stranger = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        SignatureHeaders other = new ResponseSigner(stranger).sign(expired.fields().get("content-type"),
                expired.fields().get("content-digest"), expired.fields().get("etag"),
                expired.fields().get("alto-resource"), now.minusSeconds(10), now.plus(Duration.ofHours(1)));
        serve(expired.answer("200 OK", List.of("Signature-Input: " + other.signatureInput().replaceFirst("^alto=", "alto-2="),
                "Signature: " + other.signature().replaceFirst("^alto=", "alto-2="))));
        fetchFallingBack(ClientException.OutsideValidity.class, "expired");
    }

    /** The origin's signature moved under another ALTO label with its window widened: its base changed. */
    @Test
    void theOriginsSignatureRelabelledWithAWiderWindowIsRefused() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        String input = g.fields().get("signature-input").replaceFirst("^alto=", "alto-2=")
                .replaceFirst("expires=\\d+", "expires=99999999999");
        serve(g.with("signature-input", input)
                .with("signature", g.fields().get("signature").replaceFirst("^alto=", "alto-2=")).answer());
        fetchFallingBack(ClientException.InvalidResponse.class, "BAD_SIGNATURE");
    }

    @Test
    void theOriginsOwnSigningOlderThanTheVersionHeldIsRefusedAsARollback() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        VerifiedDocument held = client.fetch(LocalOrigin.NETWORK_MAP); // the hostile source answers 503: the origin's
        Instant created = held.created().minusSeconds(10);
        serve(signedFor(g, created, created.plus(Duration.ofHours(1))).answer());
        fetchFallingBack(ClientException.Rollback.class, "older than");
    }

    @Test
    void aNotModifiedWithAnotherDocumentsSignatureIsRefusedAsAStatus() throws Exception {
        // the client makes no conditional request: a 304 is an answer it did not ask for, whatever its fields
        Genuine cost = genuine(LocalOrigin.COST_MAP, false);
        serve(cost.withBody(new byte[0]).answer("304 Not Modified", List.of()));
        ClientException e = fetchFallingBack(ClientException.Refused.class, "304");
        assertEquals(304, ((ClientException.Refused) e).status());
    }

    @Test
    void aRedirectIsNotFollowedEvenToTheOrigin() throws Exception {
        serve(ascii("HTTP/1.1 302 Found\r\nLocation: " + origin.uri() + LocalOrigin.NETWORK_MAP
                + "\r\nContent-Length: 0\r\n\r\n"));
        ClientException e = fetchFallingBack(ClientException.Refused.class, "302");
        assertEquals(302, ((ClientException.Refused) e).status());
    }

    // an answer that is no HTTP is the source's fault, as one that does not verify: not "unreachable"
    @Test
    void endlessHeaderFieldsAreRefusedBeforeTheyFillTheHeap() throws Exception {
        byte[] line = ascii("X-Pad: " + "a".repeat(1000) + "\r\n");
        hostile.script = (request, in, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\n"));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) { // until the client hangs up
                out.write(line);
            }
        };
        fetchFallingBack(ClientException.InvalidResponse.class, "not a valid HTTP response: header size too big");
        // it cools down, not asked again at the next fetch: the JDK leaves such a connection open
        // and unread (one socket each time), so a source asked on every fetch would cost one each
        VerifiedDocument again = client.fetch(LocalOrigin.NETWORK_MAP);
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), again.source());
        assertEquals(1, hostile.requests.size(), "asked once: " + hostile.requests.size() + " times");
        assertTrue(client.health().sources().get(0).coolingDown(), client.health().toString());
    }

    @Test
    void endlessInterimAnswersAreRefused() throws Exception {
        byte[] interim = ascii("HTTP/1.1 102 Processing\r\n\r\n");
        hostile.script = (request, in, out) -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                out.write(interim);
            }
        };
        fetchFallingBack(ClientException.InvalidResponse.class,
                "not a valid HTTP response: too many interim responses");
    }

    @Test
    void signatureFieldsInAChunkedBodysTrailersAreNotTaken() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        Genuine unsigned = g.with("signature-input", null).with("signature", null);
        hostile.script = (request, in, out) -> {
            out.write(chunkedHead(unsigned));
            out.write(ascii(Integer.toHexString(g.body().length) + "\r\n"));
            out.write(g.body());
            out.write(ascii("\r\n0\r\nSignature-Input: " + g.fields().get("signature-input") + "\r\nSignature: "
                    + g.fields().get("signature") + "\r\n\r\n"));
        };
        fetchFallingBack(ClientException.InvalidResponse.class, "NO_SIGNATURE");
    }

    @Test
    void trailersCannotUndoAGenuineChunkedResponse() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        hostile.script = (request, in, out) -> {
            out.write(chunkedHead(g));
            out.write(ascii(Integer.toHexString(g.body().length) + "\r\n"));
            out.write(g.body());
            out.write(ascii("\r\n0\r\nContent-Digest: sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:\r\n"
                    + "Content-Encoding: gzip\r\n\r\n"));
        };
        VerifiedDocument d = client.fetch(LocalOrigin.NETWORK_MAP);
        assertEquals(hostile.at(LocalOrigin.NETWORK_MAP), d.source(), "the genuine bytes, whoever carried them");
        byte[] got = new byte[d.length()];
        d.body().get(got);
        assertArrayEquals(g.body(), got);
    }

    @Test
    void aChunkedBodyThatNeverEndsCostsTheTimeout() throws Exception {
        Genuine g = genuine(LocalOrigin.NETWORK_MAP, false);
        hostile.script = (request, in, out) -> {
            out.write(chunkedHead(g));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) { // a space every 100 ms: never over the bound, never done
                out.write(ascii("1\r\n \r\n"));
                out.flush();
                Thread.sleep(100);
            }
        };
        fetchFallingBack(ClientException.TimedOut.class, "no complete response within 5s");
    }

    @Test
    void aSourceThatSwitchesToHttp2IsNotReadOnceRefused() throws Exception {
        // the product's front end speaks no h2c, but a client that offers it (the JDK's default on
        // http) lets any source take HTTP/2, whose connection outlives the refusal of its answer:
        // the JDK resets the stream, keeps the connection for reuse, and goes on reading (and
        // dropping) whatever the source sends, for as long as it likes
        CompletableFuture<Void> hungUp = new CompletableFuture<>();
        AtomicLong written = new AtomicLong();
        hostile.script = (request, in, out) -> {
            out.write(ascii("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"));
            frame(out, 4, 0, 0, new byte[0]); // SETTINGS: the server's preface
            frame(out, 1, 4, 1, new byte[] {(byte) 0x88}); // HEADERS on stream 1: :status 200, END_HEADERS
            byte[] data = new byte[16_000];
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                while (System.nanoTime() < end) { // DATA on stream 1, never its end
                    frame(out, 0, 0, 1, data);
                    written.addAndGet(data.length);
                }
            } catch (IOException closed) {
                hungUp.complete(null);
                throw closed;
            }
        };
        VerifiedDocument d = client.fetch(LocalOrigin.NETWORK_MAP);
        long atRefusal = written.get();
        assertEquals(URI.create(origin.uri() + LocalOrigin.NETWORK_MAP), d.source(), "taken from the origin: " + d.refused());
        try {
            hungUp.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // closed, or else no longer read:
        } catch (TimeoutException stillOpen) {
            long since = written.get() - atRefusal; // what socket buffers hold at most, not a stream read on
            assertTrue(since < 16 << 20, "the refused source was read on: " + (since >> 20) + " MB in the "
                    + TIMEOUT.toSeconds() + " s after its refusal (" + d.refused() + ")");
        }
        assertFalse(hostile.requests.get(0).toLowerCase(Locale.ROOT).contains("upgrade"),
                "no HTTP/2 offered: " + hostile.requests.get(0));
    }

    /** Writes one HTTP/2 frame (RFC 9113 §4.1). */
    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags,
                (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
        out.write(payload);
    }

    private static byte[] chunkedHead(Genuine g) {
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
        g.fields().forEach((n, v) -> head.append(n).append(": ").append(v).append("\r\n"));
        return ascii(head.append("\r\n").toString());
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
