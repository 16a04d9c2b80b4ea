package org.rproxy.bench;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;

/**
 * What signing costs the origin and verifying costs a proxy, per response: sign = Content-Digest
 * over the body + one signature over the signature base; verify = parse + signature check + one
 * SHA-256 over the body. Run with {@code java -jar bench/target/benchmarks.jar SignatureBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SignatureBenchmark {
    private static final Instant CREATED = Instant.ofEpochSecond(1_700_000_000L);
    private static final Instant EXPIRES = CREATED.plusSeconds(3600);
    private static final String PATH = "/costmap/default-cost-map";

    @Param({"1024", "102400", "5242880"})
    public int bodySize;

    @Param({"ED25519", "ECDSA_P256_SHA256"})
    public SignatureAlgorithm algorithm;

    private byte[] body;
    private ResponseSigner signer;
    private ResponseVerifier verifier;
    private Map<String, String> headers;
    private ResponseVerifier.Expectation expect;

    @Setup
    public void setUp() {
        body = new byte[bodySize];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('0' + random.nextInt(10));
        }
        SigningKey key = SigningKey.generate(algorithm, new SecureRandom());
        signer = new ResponseSigner(key);
        verifier = new ResponseVerifier(List.of(key.publicKey()), Clock.fixed(CREATED.plusSeconds(10), ZoneOffset.UTC));
        headers = new HashMap<>(sign());
        expect = ResponseVerifier.Expectation.path(PATH);
        Verdict v = verify();
        if (!v.valid()) {
            throw new IllegalStateException("set-up response does not verify: " + v);
        }
    }

    @Benchmark
    public Map<String, String> sign() {
        Map<String, String> h = new HashMap<>();
        h.put("content-type", "application/alto-costmap+json");
        h.put("content-digest", ContentDigest.sha256(body));
        h.put("etag", "\"2b7e151628aed2a6abf7158809cf4f3c\"");
        h.put("alto-resource", AltoResource.of("default-cost-map", PATH).toHeader());
        SignatureHeaders s = signer.sign(h.get("content-type"), h.get("content-digest"), h.get("etag"),
                h.get("alto-resource"), CREATED, EXPIRES);
        h.put("signature-input", s.signatureInput());
        h.put("signature", s.signature());
        return h;
    }

    @Benchmark
    public Verdict verify() {
        return verifier.verify(headers::get, body, expect);
    }
}
