package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.CacheConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.RefreshConfig;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.TestSigner;

/**
 * A pull proxy serves its two variants of a document from one signing: a revalidation that
 * brings a new gzip variant but no identity answer (the identity request timed out), or an
 * identity answer of another signing, must not leave a client getting one version plain and
 * another gzip (real sockets: a raw loopback upstream, the JDK's HTTP client).
 */
class VariantSigningsTest {
    private static final String DOC = "/networkmap/a";

    @TempDir
    Path dir;

    private volatile Representation identityServed;
    private volatile Representation gzipServed;
    private volatile boolean identityStalls;

    @Test
    void aRevalidationThatRenewsOnlyTheGzipVariantLeavesBothFromOneSigning() throws Exception {
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pem"));
        Instant now = Instant.now();
        Representation v1 = signer.sign(DOC, "{\"v\":1}", true, now.minusSeconds(20), Duration.ofHours(1), 0);
        Representation v2 = signer.sign(DOC, "{\"v\":2}", true, now.minusSeconds(10), Duration.ofHours(1), 0);
        identityServed = v1;
        gzipServed = v1;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RawUpstream up = new RawUpstream(this::answer); PullProxy proxy = PullProxy.start(config(up.url(), pub))) {
            assertEquals(v1.identity().etag(), etag(http, proxy, false));
            assertEquals(v1.gzip().etag(), etag(http, proxy, true));
            // v2 is published; the identity request of the next revalidation gets no answer
            gzipServed = v2;
            identityStalls = true;
            String plain = etag(http, proxy, false); // stale (max-age 0): waits for the revalidation
            String gzip = etag(http, proxy, true);
            assertEquals(signing(plain, v1, v2), signing(gzip, v1, v2),
                    "the identity variant served is of signing " + signing(plain, v1, v2) + ", the gzip one of "
                            + signing(gzip, v1, v2));
            // the upstream answers both again: v2, both variants
            identityServed = v2;
            identityStalls = false;
            proxy.refreshNow().get();
            String plain2 = etag(http, proxy, false);
            assertEquals(signing(plain2, v1, v2), signing(etag(http, proxy, true), v1, v2));
        }
    }

    /** Which signing (1 or 2) an entity tag is of. */
    private static int signing(String etag, Representation v1, Representation v2) {
        for (Representation r : List.of(v1, v2)) {
            if (etag.equals(r.identity().etag()) || etag.equals(r.gzip().etag())) {
                return r == v1 ? 1 : 2;
            }
        }
        throw new AssertionError("an entity tag of neither signing: " + etag);
    }

    private static String etag(HttpClient http, PullProxy proxy, boolean gzip) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.baseUri() + DOC));
        if (gzip) {
            b.header("accept-encoding", "gzip");
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        return r.headers().firstValue("etag").orElseThrow();
    }

    /** The document's variant by Accept-Encoding (always 200, stale at once, usable on error), 404 for anything else. */
    private void answer(String head, java.net.Socket socket) throws java.io.IOException {
        String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        if (!target.equals(DOC)) {
            RawUpstream.respond(404, List.of("content-type: application/alto-error+json"),
                    "{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .answer(head, socket);
            return;
        }
        boolean gzip = head.toLowerCase(Locale.ROOT).contains("\r\naccept-encoding: gzip");
        if (!gzip && identityStalls) {
            RawUpstream.STALL.answer(head, socket);
            return;
        }
        Variant v = gzip ? gzipServed.gzip() : identityServed.identity();
        List<String> headers = new ArrayList<>();
        for (HeaderField h : v.headers()) {
            headers.add(h.name() + ": " + h.value());
        }
        headers.add("cache-control: max-age=0, stale-if-error=3600");
        headers.add("vary: Accept-Encoding");
        RawUpstream.respond(200, headers, v.body().toArray()).answer(head, socket);
    }

    private static ProxyConfig config(String upstream, Path pub) {
        return new ProxyConfig(ProxyConfig.Mode.PULL, "p", new ListenConfig(new Address("127.0.0.1", 0), null),
                UpstreamConfig.of(URI.create(upstream), List.of(pub)).withTimeout(Duration.ofMillis(500)),
                new CacheConfig(ByteSize.ofMegabytes(16)),
                new RefreshConfig(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMillis(1),
                        Duration.ofHours(1)),
                null);
    }
}
