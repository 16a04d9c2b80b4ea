package org.rproxy.core.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/** Hand-built representations and requests: the real contract types, no mocks. */
final class Fixtures {

    static final String JSON = "{\"meta\":{\"vtag\":{\"resource-id\":\"my-default-network-map\",\"tag\":\"1\"}},"
            + "\"network-map\":{\"PID1\":{\"ipv4\":[\"192.0.2.0/24\"]}}}";
    static final String IDENTITY_TAG = "\"nm-1\"";
    static final String GZIP_TAG = "\"nm-1-gz\"";

    private Fixtures() {
    }

    static Variant identity(String body) {
        return new Variant(Bytes.utf8(body), null, signedHeaders(IDENTITY_TAG, "id"));
    }

    static Variant gzipped(String body) {
        return new Variant(Bytes.wrap(gzip(body)), "gzip", signedHeaders(GZIP_TAG, "gz"));
    }

    static List<HeaderField> signedHeaders(String etag, String tag) {
        List<HeaderField> h = new ArrayList<>();
        h.add(new HeaderField("content-type", "application/alto-networkmap+json"));
        h.add(new HeaderField("content-digest", "sha-256=:" + tag + "digest=:"));
        h.add(new HeaderField("etag", etag));
        h.add(new HeaderField("alto-resource", "my-default-network-map"));
        h.add(new HeaderField("signature-input", "alto=(\"content-type\" \"content-digest\" \"etag\" \"alto-resource\")"
                + ";created=1740830400;expires=1740834000;keyid=\"k1\";alg=\"ed25519\";tag=\"alto-redist\""));
        h.add(new HeaderField("signature", "alto=:" + tag + "sig=:"));
        return h;
    }

    /** Identity and gzip variants, 300 s max-age, valid for an hour from {@link EmbeddedFrontEnd#NOW}. */
    static Representation withGzip() {
        return new Representation(identity(JSON), gzipped(JSON), 300, EmbeddedFrontEnd.NOW.minusSeconds(10),
                EmbeddedFrontEnd.NOW.plus(Duration.ofHours(1)));
    }

    static Representation identityOnly() {
        return new Representation(identity(JSON), null, 300, EmbeddedFrontEnd.NOW.minusSeconds(10),
                EmbeddedFrontEnd.NOW.plus(Duration.ofHours(1)));
    }

    /** {@code size} bytes of the alphabet over and over, so that a byte out of place shows. */
    static byte[] alphabet(int size) {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    /**
     * {@code body} as an {@code application/octet-stream} document tagged {@code etag}, 60 s
     * max-age, valid for an hour from now; its bytes on the heap, with no direct copy, as a
     * computed answer's are: a transport writes such a body from a copy of its own.
     */
    static Representation octetStream(byte[] body, String etag) {
        Instant now = Instant.now();
        return new Representation(new Variant(Bytes.wrap(body), null, List.of(
                new HeaderField("content-type", "application/octet-stream"), new HeaderField("etag", etag))),
                null, 60, now, now.plus(Duration.ofHours(1)));
    }

    static AltoService serving(Representation representation) {
        return request -> CompletableFuture.completedFuture(Reply.ok(representation));
    }

    static FullHttpRequest get(String uri) {
        return request(HttpMethod.GET, uri);
    }

    static FullHttpRequest request(HttpMethod method, String uri) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
        r.headers().set("host", "alto.example");
        return r;
    }

    static FullHttpRequest post(String uri, String contentType, String body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set("host", "alto.example");
        r.headers().set("content-type", contentType);
        r.headers().set("content-length", r.content().readableBytes());
        return r;
    }

    static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
