package org.rproxy.core.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;

/** A bundle round-trips byte for byte, verifies offline without a URL, and no changed byte of what is signed passes. */
class SignedBundleTest {
    static final Instant CREATED = Instant.ofEpochSecond(1_800_000_000L);
    static final Instant EXPIRES = CREATED.plus(Duration.ofHours(1));
    static final String PATH = "/networkmap/default-network-map";
    static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
    static final byte[] BODY = "{\"meta\":{\"vtag\":{\"resource-id\":\"default-network-map\",\"tag\":\"t1\"}},\"network-map\":{}}"
            .getBytes(StandardCharsets.UTF_8);

    /** Response headers as an HTTP client hands them over: mixed case, with fields a bundle does not keep. */
    static Map<String, List<String>> signedHeaders(byte[] body, String encoding) {
        return signedHeaders(body, encoding, AltoResource.of("default-network-map", PATH));
    }

    /** As {@link #signedHeaders(byte[], String)}, signed as the answer for {@code altoResource}. */
    static Map<String, List<String>> signedHeaders(byte[] body, String encoding, AltoResource altoResource) {
        String type = "application/alto-networkmap+json";
        String digest = ContentDigest.sha256(body);
        String etag = "\"abcdefghijklmnopqrstuv\"";
        String resource = altoResource.toHeader();
        SignatureHeaders sig = new ResponseSigner(KEY).sign(type, digest, etag, resource, CREATED, EXPIRES);
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("Content-Type", List.of(type));
        h.put("Content-Digest", List.of(digest));
        h.put("ETag", List.of(etag));
        h.put("Alto-Resource", List.of(resource));
        h.put("Signature-Input", List.of(sig.signatureInput()));
        h.put("Signature", List.of(sig.signature()));
        h.put("Cache-Control", List.of("max-age=60", "no-transform"));
        h.put("Via", List.of("1.1 rproxy"));
        h.put("Age", List.of("3"));
        h.put("Connection", List.of("keep-alive"));
        h.put("Content-Length", List.of(Integer.toString(body.length)));
        if (encoding != null) {
            h.put("Content-Encoding", List.of(encoding));
        }
        return h;
    }

    static SignedBundle bundle() {
        return SignedBundle.of(signedHeaders(BODY, null), BODY);
    }

    static ResponseVerifier verifierAt(Instant now) {
        return new ResponseVerifier(List.of(KEY.publicKey()), Clock.fixed(now, ZoneOffset.UTC));
    }

    static Verdict verifyFile(byte[] file) throws MalformedBundleException {
        return SignedBundle.parse(file).verify(verifierAt(CREATED.plusSeconds(10)));
    }

    @Test
    void keepsTheFieldsThatMatterJoinedAndInLowerCase() {
        SignedBundle b = bundle();
        assertEquals(List.of("content-type", "content-digest", "etag", "alto-resource", "signature-input", "signature",
                "cache-control"), b.fields().stream().map(HeaderField::name).toList());
        assertEquals("max-age=60, no-transform", b.field("cache-control"));
        assertNull(b.field("via"));
        assertEquals(PATH, b.path());
    }

    @Test
    void writesAnHttpResponseMessageAndReadsItBackUnchanged(@TempDir Path dir) throws Exception {
        SignedBundle b = bundle();
        byte[] file = b.toBytes();
        String text = new String(file, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 200 OK\r\ncontent-type: application/alto-networkmap+json\r\n"), text);
        assertTrue(text.endsWith("content-length: " + BODY.length + "\r\n\r\n" + new String(BODY, StandardCharsets.UTF_8)),
                text);
        Path f = dir.resolve("b.http");
        b.write(f);
        assertArrayEquals(file, Files.readAllBytes(f));
        SignedBundle back = SignedBundle.read(f, SignedBundle.DEFAULT_MAX_BYTES);
        assertEquals(b, back);
        assertArrayEquals(file, back.toBytes());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file is left behind");
        }
    }

    /**
     * A bundle gets the permissions any new file of the process gets ({@code rw-r--r--} under
     * umask 022), as {@code --body} does, not a temporary file's {@code rw-------}: a proxy
     * running as another user (the packaged units' DynamicUser) must be able to seed it.
     */
    @Test
    void aWrittenBundleHasTheModeOfAPlainNewFile(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        Path plain = Files.write(dir.resolve("body.json"), BODY);
        Path f = dir.resolve("b.http");
        bundle().write(f);
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        bundle().write(f); // replaced: a new file, with a new file's mode
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void verifiesOfflineForTheResourceItNames() throws Exception {
        Verdict v = verifyFile(bundle().toBytes());
        assertEquals(Outcome.VALID, v.outcome(), v.reason());
        assertEquals(PATH, v.resource().path());
        assertEquals(Outcome.WRONG_RESOURCE, bundle().verify(verifierAt(CREATED.plusSeconds(10)), "/costmap/other").outcome());
    }

    @Test
    void aGzipBodyStaysCompressedAndVerifiesAsSent() throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(BODY);
        }
        byte[] gz = z.toByteArray();
        SignedBundle b = SignedBundle.of(signedHeaders(gz, "gzip"), gz);
        SignedBundle back = SignedBundle.parse(b.toBytes());
        assertArrayEquals(gz, back.body().toArray());
        assertEquals("gzip", back.field("content-encoding"));
        assertEquals(Outcome.VALID, back.verify(verifierAt(CREATED.plusSeconds(10))).outcome());
    }

    @Test
    void anExpiredBundleFailsAsExpiredAndPassesAsOfATimeWithinItsValidity() {
        SignedBundle b = bundle();
        Verdict late = b.verify(verifierAt(EXPIRES));
        assertEquals(Outcome.EXPIRED, late.outcome());
        assertTrue(late.reason().startsWith("expired at "), late.reason());
        assertEquals(Outcome.VALID, b.verify(verifierAt(EXPIRES.minusSeconds(1))).outcome());
    }

    @Test
    void everyChangedByteOfTheBodyFails() throws Exception {
        byte[] file = bundle().toBytes();
        int start = file.length - BODY.length;
        for (int i = start; i < file.length; i++) {
            assertTampered(file, i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"content-type", "content-digest", "etag", "alto-resource", "signature-input", "signature"})
    void everyChangedByteOfACoveredOrSignatureFieldFails(String name) throws Exception {
        byte[] file = bundle().toBytes();
        String text = new String(file, StandardCharsets.ISO_8859_1);
        int start = text.indexOf("\r\n" + name + ": ") + 2;
        int value = start + name.length() + 2;
        int end = text.indexOf("\r\n", start);
        for (int i = start; i < value; i++) {
            // Not 0x20 in the name: that only changes its case, which means nothing in HTTP.
            assertTampered(file, i, 0x01, 0x04);
        }
        for (int i = value; i < end; i++) {
            assertTampered(file, i);
        }
    }

    private static void assertTampered(byte[] file, int at) {
        assertTampered(file, at, 0x01, 0x20, 0x04);
    }

    private static void assertTampered(byte[] file, int at, int... bits) {
        for (int bit : bits) {
            byte[] copy = file.clone();
            copy[at] ^= (byte) bit;
            try {
                Verdict v = verifyFile(copy);
                if (v.valid() && sameSignatureBytes(file, copy)) {
                    // The last base64 character of the signature carries two unused bits, which RFC 8941
                    // §4.2.7 says a parser should ignore: the signature itself is unchanged.
                    continue;
                }
                assertFalse(v.valid(), "byte " + at + " ^ " + bit + " still verifies");
            } catch (MalformedBundleException expected) {
                // refused before verification: as good as a failed verdict
            }
        }
    }

    private static boolean sameSignatureBytes(byte[] original, byte[] changed) throws MalformedBundleException {
        SignedBundle a = SignedBundle.parse(original);
        SignedBundle b = SignedBundle.parse(changed);
        List<HeaderField> otherA = a.fields().stream().filter(f -> !f.name().equals("signature")).toList();
        List<HeaderField> otherB = b.fields().stream().filter(f -> !f.name().equals("signature")).toList();
        if (!a.body().equals(b.body()) || !otherA.equals(otherB)) {
            return false;
        }
        return Arrays.equals(signatureBytes(a), signatureBytes(b));
    }

    private static byte[] signatureBytes(SignedBundle b) {
        String v = b.field("signature");
        return Base64.getDecoder().decode(v.substring(v.indexOf(':') + 1, v.lastIndexOf(':')));
    }

    @Test
    void refusesFieldsThatAreNotFieldsOfABundle() {
        List<HeaderField> ok = bundle().fields();
        assertThrows(IllegalArgumentException.class, () -> new SignedBundle(
                append(ok, new HeaderField("content-length", "3")), bundle().body()));
        assertThrows(IllegalArgumentException.class, () -> new SignedBundle(
                append(ok, new HeaderField("etag", "\"x\"")), bundle().body()));
        assertThrows(IllegalArgumentException.class, () -> new SignedBundle(
                append(ok, new HeaderField("x-bad", "a\r\nb: c")), bundle().body()));
        assertThrows(IllegalArgumentException.class, () -> new SignedBundle(
                append(ok, new HeaderField("bad name", "v")), bundle().body()));
    }

    private static List<HeaderField> append(List<HeaderField> fields, HeaderField f) {
        List<HeaderField> all = new java.util.ArrayList<>(fields);
        all.add(f);
        return all;
    }

    /**
     * A server of a bundle is a shared cache: the bundle's {@code s-maxage} is its freshness
     * lifetime over {@code max-age}, as a pull proxy takes the same response fetched upstream
     * ({@link org.rproxy.core.store.SharedFreshness}), and a response no cache may reuse unasked
     * has none.
     */
    @Test
    void aBundlesFreshnessIsASharedCachesSMaxageOverMaxAge() {
        Map<String, Integer> lifetimes = new LinkedHashMap<>();
        lifetimes.put("max-age=600, s-maxage=60", 60);
        lifetimes.put("s-maxage=\"30\", max-age=600, no-transform", 30);
        lifetimes.put("max-age=600, s-maxage=x", 0);
        lifetimes.put("no-cache, max-age=600", 0);
        lifetimes.put("max-age=600", 600);
        lifetimes.forEach((cacheControl, seconds) -> {
            Map<String, List<String>> h = signedHeaders(BODY, null);
            h.put("Cache-Control", List.of(cacheControl));
            Representation r = SignedBundle.of(h, BODY).representation(verifierAt(CREATED.plusSeconds(10)));
            assertEquals(seconds.longValue(), r.maxAgeSeconds(), cacheControl);
        });
    }

    /**
     * A bundle kept from a response that said it must be revalidated once stale is served saying
     * so, without stale windows, as the pull proxy holds the same response fetched: the directive
     * is not signed, but it can only take windows away.
     */
    @Test
    void aBundlesRevalidationIsKeptAsASharedCacheReadsIt() {
        Map<String, Representation.Revalidation> cases = new LinkedHashMap<>();
        cases.put("max-age=60, stale-while-revalidate=60, must-revalidate", Representation.Revalidation.EVERY_CACHE);
        cases.put("max-age=60, proxy-revalidate", Representation.Revalidation.SHARED_CACHES);
        cases.put("max-age=600, s-maxage=60", Representation.Revalidation.SHARED_CACHES);
        cases.put("max-age=60, stale-while-revalidate=60", Representation.Revalidation.NONE);
        cases.forEach((cacheControl, revalidation) -> {
            Map<String, List<String>> h = signedHeaders(BODY, null);
            h.put("Cache-Control", List.of(cacheControl));
            Representation r = SignedBundle.of(h, BODY).representation(verifierAt(CREATED.plusSeconds(10)));
            assertEquals(revalidation, r.revalidation(), cacheControl);
        });
    }

    @Test
    void aValidBundleBecomesARepresentationAServerCanHold() {
        SignedBundle b = bundle();
        Representation r = b.representation(verifierAt(CREATED.plusSeconds(10)));
        assertEquals(CREATED, r.created());
        assertEquals(EXPIRES, r.expires());
        assertEquals(60, r.maxAgeSeconds());
        assertNull(r.gzip());
        assertEquals(List.of("content-type", "content-digest", "etag", "alto-resource", "signature-input", "signature"),
                r.identity().headers().stream().map(HeaderField::name).toList());
        assertArrayEquals(BODY, r.identity().body().toArray());
        IllegalArgumentException late = assertThrows(IllegalArgumentException.class,
                () -> b.representation(verifierAt(EXPIRES)));
        assertTrue(late.getMessage().startsWith("EXPIRED: "), late.getMessage());
        byte[] gzBytes = org.rproxy.core.codec.Gzip.deterministic(org.rproxy.core.model.Bytes.wrap(BODY)).toArray();
        SignedBundle gz = SignedBundle.of(signedHeaders(gzBytes, "gzip"), gzBytes);
        IllegalArgumentException coded = assertThrows(IllegalArgumentException.class,
                () -> gz.representation(verifierAt(CREATED.plusSeconds(10))));
        assertTrue(coded.getMessage().startsWith("content-encoding: gzip"), coded.getMessage());
    }

    @Test
    void noVerdictMadeElsewhereCanVouchForABundle() {
        // A Verdict is a public record: anyone can make a VALID one. So no public entry of the bundle
        // takes one; it verifies itself where it vouches for its bytes.
        for (java.lang.reflect.Method m : SignedBundle.class.getMethods()) {
            assertFalse(Arrays.asList(m.getParameterTypes()).contains(Verdict.class), m.toString());
        }
        for (java.lang.reflect.Constructor<?> c : SignedBundle.class.getConstructors()) {
            assertFalse(Arrays.asList(c.getParameterTypes()).contains(Verdict.class), c.toString());
        }
    }

    @Test
    void bytesNobodySignedNeverBecomeARepresentation() {
        byte[] forged = BODY.clone();
        forged[forged.length - 3] = '1';
        SignedBundle b = SignedBundle.of(signedHeaders(BODY, null), forged);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.representation(verifierAt(CREATED.plusSeconds(10))));
        assertTrue(e.getMessage().startsWith("DIGEST_MISMATCH: "), e.getMessage());
        SignedBundle other = SignedBundle.of(signedHeaders(BODY, null), BODY);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> other.representation(new ResponseVerifier(
                        List.of(SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey()),
                        Clock.fixed(CREATED.plusSeconds(10), ZoneOffset.UTC))));
        assertTrue(unknown.getMessage().startsWith("UNKNOWN_KEY: "), unknown.getMessage());
    }

    @Test
    void theAnswerToAQueryIsNoRepresentationAGetCanBeServedFrom() {
        AltoResource query = AltoResource.forQuery("filtered", PATH, "{}".getBytes(StandardCharsets.UTF_8));
        SignedBundle b = SignedBundle.of(signedHeaders(BODY, null, query), BODY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.representation(verifierAt(CREATED.plusSeconds(10))));
        assertEquals("the answer to a query (POST " + PATH + "): only GET resources can be served from a bundle",
                e.getMessage());
    }

    @Test
    void aBundleWithoutAltoResourceStillGetsAVerdictNotAnException() throws IOException {
        SignedBundle b = new SignedBundle(bundle().fields().stream()
                .filter(f -> !f.name().equals("alto-resource")).toList(), bundle().body());
        assertNull(b.path());
        assertFalse(b.verify(verifierAt(CREATED.plusSeconds(10))).valid());
    }
}
