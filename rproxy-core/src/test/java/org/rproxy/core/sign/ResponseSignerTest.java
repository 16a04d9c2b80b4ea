package org.rproxy.core.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The origin side: argument checks and signing from several threads at once. */
class ResponseSignerTest {
    private static final Instant CREATED = Instant.ofEpochSecond(1_700_000_000L);
    private static final Instant EXPIRES = CREATED.plusSeconds(3600);
    private static final String TYPE = "application/alto-networkmap+json";
    private static final String DIGEST = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
    private static final String ETAG = "\"v1\"";
    private static final String RESOURCE = "\"default-network-map\";path=\"/networkmap/default-network-map\"";

    private final ResponseSigner signer = new ResponseSigner(SigningKey.fromPem(TestKeys.RFC9421_ED25519_PRIVATE));

    @Test
    void dropsSubSecondPrecision() {
        SignatureHeaders h = signer.sign(TYPE, DIGEST, ETAG, RESOURCE, CREATED.plusMillis(999), EXPIRES.plusMillis(1));
        assertEquals(signer.sign(TYPE, DIGEST, ETAG, RESOURCE, CREATED, EXPIRES), h);
    }

    @Test
    void refusesAnEmptyValidityPeriod() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> signer.sign(TYPE, DIGEST, ETAG, RESOURCE, CREATED, CREATED));
        assertTrue(e.getMessage().startsWith("expires: "), e.getMessage());
    }

    /**
     * RFC 8941 §3.3.1: an sf-integer has at most 15 digits. An expiry 10^15 seconds after 1970 was
     * written as 16 digits into a Signature-Input every verifier, this one's included, refuses as
     * malformed: a document signed, published and never verifiable.
     */
    @Test
    void refusesAnExpiryNoSignatureInputCanHold() {
        Instant far = Instant.ofEpochSecond(1_000_000_000_000_000L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> signer.sign(TYPE, DIGEST, ETAG, RESOURCE, CREATED, far));
        assertTrue(e.getMessage().startsWith("expires: "), e.getMessage());
        Instant last = Instant.ofEpochSecond(999_999_999_999_999L);
        SignatureHeaders h = signer.sign(TYPE, DIGEST, ETAG, RESOURCE, CREATED, last);
        assertEquals(last, SignatureWindow.read(n -> n.equals("signature-input") ? h.signatureInput() : null).expires(),
                "the last instant an sf-integer holds is signed and read back");
    }

    @Test
    void refusesValuesThatCannotBeHeaderFields() {
        assertThrows(IllegalArgumentException.class,
                () -> signer.sign(TYPE, DIGEST, "\"a\"\nx: y", RESOURCE, CREATED, EXPIRES));
        assertThrows(NullPointerException.class, () -> signer.sign(TYPE, DIGEST, null, RESOURCE, CREATED, EXPIRES));
    }

    @Test
    void signsTheSameFromManyThreads() throws Exception {
        SignatureHeaders expected = signer.sign(TYPE, DIGEST, ETAG, RESOURCE, CREATED, EXPIRES);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<SignatureHeaders>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<SignatureHeaders> out = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        out.add(signer.sign(TYPE, DIGEST, ETAG, RESOURCE, CREATED, EXPIRES));
                    }
                    return out;
                }));
            }
            start.countDown();
            for (Future<List<SignatureHeaders>> f : results) {
                for (SignatureHeaders h : f.get(30, TimeUnit.SECONDS)) {
                    assertEquals(expected, h);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
