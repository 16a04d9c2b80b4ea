package org.rproxy.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.EntityTags;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * Signs test documents as the origin does (one signature per variant, entity tag per
 * signing), for tests of verifiers, proxies and the harness that need an upstream they control.
 * Shared through rproxy-core's test-jar.
 */
public final class TestSigner {
    public final SigningKey key;
    private final ResponseSigner signer;

    /** Signs with a fresh Ed25519 key. */
    public TestSigner() {
        this(SignatureAlgorithm.ED25519);
    }

    /** Signs with a fresh key for {@code algorithm}. */
    public TestSigner(SignatureAlgorithm algorithm) {
        key = SigningKey.generate(algorithm, new SecureRandom());
        signer = new ResponseSigner(key);
    }

    public VerificationKey publicKey() {
        return key.publicKey();
    }

    /** Writes the public key as SPKI PEM to {@code file}. */
    public Path writePublic(Path file) throws IOException {
        return Files.writeString(file, key.publicKey().toSpkiPem());
    }

    public Representation sign(String target, String body, boolean withGzip, Instant created, Duration validity,
                               long maxAge) {
        return sign(target, target, body, withGzip, created, validity, maxAge);
    }

    /** Signs {@code body} as the answer to {@code signedPath} (which may differ from where it is served). */
    public Representation sign(String target, String signedPath, String body, boolean withGzip, Instant created,
                               Duration validity, long maxAge) {
        return sign(AltoResource.of("doc", signedPath), Bytes.utf8(body), withGzip, created, validity, maxAge);
    }

    /** Signs {@code body} as the answer named by {@code resource}. */
    public Representation sign(AltoResource resource, Bytes body, boolean withGzip, Instant created,
                               Duration validity, long maxAge) {
        Instant expires = created.plus(validity);
        Variant identity = variant(resource, body, null, created, expires);
        Variant gzip = withGzip ? variant(resource, gzip(body), "gzip", created, expires) : null;
        return new Representation(identity, gzip, maxAge, created, expires);
    }

    private Variant variant(AltoResource resource, Bytes body, String encoding, Instant created, Instant expires) {
        String digest = ContentDigest.sha256(body.unsafeArray());
        String etag = EntityTags.ofSigning(digest, created);
        SignatureHeaders sig = signer.sign("application/alto-networkmap+json", digest, etag, resource.toHeader(),
                created, expires);
        List<HeaderField> h = new ArrayList<>();
        h.add(new HeaderField("content-type", "application/alto-networkmap+json"));
        if (encoding != null) {
            h.add(new HeaderField("content-encoding", encoding));
        }
        h.add(new HeaderField("content-digest", digest));
        h.add(new HeaderField("etag", etag));
        h.add(new HeaderField("alto-resource", resource.toHeader()));
        h.add(new HeaderField("signature-input", sig.signatureInput()));
        h.add(new HeaderField("signature", sig.signature()));
        return new Variant(body, encoding, h);
    }

    public static Bytes gzip(Bytes body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body.unsafeArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Bytes.wrap(out.toByteArray());
    }
}
