package org.rproxy.core.stream;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.rproxy.core.codec.Gzip;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ContentDigest;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** Versions of one small cost map in RFC 8785 form, signed as the origin signs them, for the stream tests. */
final class SignedCostMaps {
    static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
    private static final String CM = "/costmap/rc";

    private SignedCostMaps() {
    }

    /**
     * The fields the origin signs for the gzip variant of {@code identity} (deterministic gzip of
     * its bytes), {@code content-encoding: gzip} among them, signed at {@code created} for an hour.
     */
    static List<HeaderField> gzipFields(Bytes identity, Instant created) {
        Bytes gz = Gzip.deterministic(identity);
        String type = "application/alto-costmap+json";
        String digest = ContentDigest.sha256(gz.unsafeArray());
        String etag = "\"gz-" + digest.substring(8, 30).replace('+', '-').replace('/', '_') + "\"";
        String resource = "\"rc\";path=\"" + CM + "\"";
        SignatureHeaders sig = new ResponseSigner(KEY).sign(type, digest, etag, resource, created,
                created.plusSeconds(3600));
        return List.of(new HeaderField("content-type", type), new HeaderField("content-encoding", "gzip"),
                new HeaderField("content-digest", digest), new HeaderField("etag", etag),
                new HeaderField("alto-resource", resource),
                new HeaderField("signature-input", sig.signatureInput()), new HeaderField("signature", sig.signature()));
    }

    /** The cost map whose PID1 → PID2 cost is {@code cost}, signed at {@code created} for an hour. */
    static Representation costMap(int cost, Instant created) {
        return costMap(cost, created, Duration.ofHours(1));
    }

    /** The cost map whose PID1 → PID2 cost is {@code cost}, signed at {@code created} for {@code validity}. */
    static Representation costMap(int cost, Instant created, Duration validity) {
        StringBuilder sb = new StringBuilder("{\"cost-map\":{\"PID1\":{\"PID2\":" + cost + "}");
        for (int i = 0; i < 20; i++) {
            sb.append(",\"P").append(i).append("\":{\"PID1\":").append(i).append('}');
        }
        Bytes body = Bytes.wrap(Jcs.canonicalize(sb.append("}}").toString().getBytes(StandardCharsets.UTF_8)));
        String type = "application/alto-costmap+json";
        String digest = ContentDigest.sha256(body.unsafeArray());
        String etag = "\"" + digest.substring(8, 30).replace('+', '-').replace('/', '_') + "\"";
        String resource = "\"rc\";path=\"" + CM + "\"";
        SignatureHeaders sig = new ResponseSigner(KEY).sign(type, digest, etag, resource, created,
                created.plus(validity));
        List<HeaderField> h = List.of(new HeaderField("content-type", type), new HeaderField("content-digest", digest),
                new HeaderField("etag", etag), new HeaderField("alto-resource", resource),
                new HeaderField("signature-input", sig.signatureInput()), new HeaderField("signature", sig.signature()));
        return new Representation(new Variant(body, null, h), null, 60, created, created.plus(validity));
    }
}
