package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;
import org.rproxy.core.store.Representation;

/** 200 answers: variant choice (RFC 9110 §12.5.3), headers, freshness, HEAD. */
class RepresentationResponseTest {

    private EmbeddedFrontEnd wire;

    @AfterEach
    void closeClient() {
        if (wire != null) {
            wire.closeClient();
        }
    }

    private EmbeddedChannel serve(Representation representation) {
        wire = new EmbeddedFrontEnd(Fixtures.serving(representation));
        return wire.channel();
    }

    @ParameterizedTest(name = "Accept-Encoding: {0} -> {1}")
    @CsvSource(nullValues = "ABSENT", value = {
        "gzip, gzip",
        "'gzip, deflate, br', gzip",
        "GZIP, gzip",
        "x-gzip, gzip",
        "'gzip;q=0', identity",
        "'gzip; q=0.000', identity",
        "'gzip;q=0.5', gzip",
        "*, gzip",
        "'*;q=0', identity",
        "'gzip;q=0, *', identity",
        "'br, *;q=0.1', gzip",
        "identity, identity",
        "'', identity",
        "ABSENT, identity",
        "'gzip;q=bogus', identity",
    })
    void variantFollowsAcceptEncoding(String acceptEncoding, String expected) {
        EmbeddedChannel channel = serve(Fixtures.withGzip());
        FullHttpRequest get = Fixtures.get("/networkmap");
        if (acceptEncoding != null) {
            get.headers().set("accept-encoding", acceptEncoding);
        }
        Answer a = wire.send(get).answer();
        assertEquals(200, a.status());
        if (expected.equals("gzip")) {
            assertEquals("gzip", a.header("content-encoding"));
            assertEquals(Fixtures.GZIP_TAG, a.header("etag"));
            assertArrayEquals(Fixtures.gzip(Fixtures.JSON), a.body());
        } else {
            assertNull(a.header("content-encoding"));
            assertEquals(Fixtures.IDENTITY_TAG, a.header("etag"));
            assertEquals(Fixtures.JSON, a.text());
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void identityVariantServedWhenThereIsNoGzipVariant() {
        EmbeddedChannel channel = serve(Fixtures.identityOnly());
        FullHttpRequest get = Fixtures.get("/networkmap");
        get.headers().set("accept-encoding", "gzip");
        Answer a = wire.send(get).answer();
        assertEquals(200, a.status());
        assertNull(a.header("content-encoding"));
        assertEquals(Fixtures.JSON, a.text());
        assertEquals("Accept-Encoding, X-Varnish", a.header("vary"));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void okCarriesVariantHeadersAndFreshness() {
        EmbeddedChannel channel = serve(Fixtures.withGzip());
        Answer a = wire.send(Fixtures.get("/networkmap")).answer();
        assertEquals(200, a.status());
        for (var field : Fixtures.identity(Fixtures.JSON).headers()) {
            assertEquals(field.value(), a.header(field.name()), field.name());
        }
        assertEquals(String.valueOf(Fixtures.JSON.length()), a.header("content-length"));
        assertEquals("max-age=300, no-transform, stale-while-revalidate=300, stale-if-error=3299", a.header("cache-control"));
        assertEquals("Accept-Encoding, X-Varnish", a.header("vary"));
        assertEquals("Sat, 01 Mar 2025 12:00:00 GMT", a.header("date"));
        assertNull(a.header("connection"));
        assertTrue(channel.isOpen(), "keep-alive by default in HTTP/1.1");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void maxAgeIsCutToTheSignatureExpiryWithASecondToSpare() {
        Representation soon = new Representation(Fixtures.identity(Fixtures.JSON), null, 300,
                EmbeddedFrontEnd.NOW.minusSeconds(10), EmbeddedFrontEnd.NOW.plus(Duration.ofMillis(42_900)));
        EmbeddedChannel channel = serve(soon);
        assertEquals("max-age=41, no-transform, stale-while-revalidate=0", wire.send(Fixtures.get("/networkmap")).answer().header("cache-control"));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void staleWindowsEndWhenTheSignatureRunsOut() {
        Representation r = new Representation(Fixtures.identity(Fixtures.JSON), null, 300,
                EmbeddedFrontEnd.NOW.minusSeconds(10), EmbeddedFrontEnd.NOW.plusSeconds(400));
        EmbeddedChannel channel = serve(r);
        assertEquals("max-age=300, no-transform, stale-while-revalidate=99, stale-if-error=99",
                wire.send(Fixtures.get("/networkmap")).answer().header("cache-control"));
        assertFalse(channel.finishAndReleaseAll());
    }

    /**
     * The variant is chosen by Accept-Encoding and the presence of X-Varnish, and Vary says both
     * (a 304 too): a cache that follows Vary never hands a gzip variant it holds to a default
     * Varnish, which would gunzip it for its identity clients. The answer to a Varnish's fetch
     * names only Accept-Encoding ({@link #aVarnishBackendFetchGetsIdentityEvenWhenItAsksForGzip}).
     */
    @Test
    void everyOtherAnswerNamesXVarnishInVary() {
        EmbeddedChannel channel = serve(Fixtures.withGzip());
        for (String coding : new String[] {"gzip", "identity"}) {
            FullHttpRequest get = Fixtures.get("/networkmap");
            get.headers().set("accept-encoding", coding);
            Answer a = wire.send(get).answer();
            assertEquals(coding.equals("gzip") ? "gzip" : null, a.header("content-encoding"));
            assertEquals("Accept-Encoding, X-Varnish", a.header("vary"), coding);
        }
        FullHttpRequest conditional = Fixtures.get("/networkmap");
        conditional.headers().set("accept-encoding", "gzip");
        conditional.headers().set("if-none-match", Fixtures.GZIP_TAG);
        Answer notModified = wire.send(conditional).answer();
        assertEquals(304, notModified.status());
        assertEquals("Accept-Encoding, X-Varnish", notModified.header("vary"));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aVarnishBackendFetchGetsIdentityEvenWhenItAsksForGzip() {
        EmbeddedChannel channel = serve(Fixtures.withGzip());
        FullHttpRequest get = Fixtures.get("/networkmap");
        get.headers().set("accept-encoding", "gzip");
        get.headers().set("x-varnish", "32770");
        Answer a = wire.send(get).answer();
        assertEquals(200, a.status());
        assertNull(a.header("content-encoding"));
        assertEquals(Fixtures.IDENTITY_TAG, a.header("etag"));
        assertEquals(Fixtures.JSON, a.text());
        assertEquals("Accept-Encoding", a.header("vary"));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void maxAgeIsNeverNegative() {
        Representation expired = new Representation(Fixtures.identity(Fixtures.JSON), null, 300,
                EmbeddedFrontEnd.NOW.minusSeconds(100), EmbeddedFrontEnd.NOW.minusSeconds(5));
        EmbeddedChannel channel = serve(expired);
        assertEquals("max-age=0, no-transform, stale-while-revalidate=0", wire.send(Fixtures.get("/networkmap")).answer().header("cache-control"));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headHasTheHeadersOfGetWithoutTheBody() {
        EmbeddedChannel channel = serve(Fixtures.withGzip());
        FullHttpRequest head = Fixtures.request(HttpMethod.HEAD, "/networkmap");
        head.headers().set("accept-encoding", "gzip");
        Answer a = wire.send(head).answer();
        assertEquals(200, a.status());
        assertEquals(0, a.body().length);
        assertEquals(String.valueOf(Fixtures.gzip(Fixtures.JSON).length), a.header("content-length"));
        assertEquals("gzip", a.header("content-encoding"));
        assertEquals(Fixtures.GZIP_TAG, a.header("etag"));
        assertEquals("max-age=300, no-transform, stale-while-revalidate=300, stale-if-error=3299", a.header("cache-control"));
        // A GET right after on the same connection gets its body: HEAD did not desynchronise framing.
        FullHttpRequest get = Fixtures.get("/networkmap");
        get.headers().set("accept-encoding", "gzip");
        assertArrayEquals(Fixtures.gzip(Fixtures.JSON), wire.send(get).answer().body());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void requestReachesTheServiceDecoded() {
        var seen = new java.util.concurrent.atomic.AtomicReference<AltoRequest>();
        wire = new EmbeddedFrontEnd(request -> {
            seen.set(request);
            return java.util.concurrent.CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly()));
        });
        EmbeddedChannel channel = wire.channel();
        FullHttpRequest post = Fixtures.post("/cost/row%20x?srcpid=PID1&srcpid=PID2&mode=a+b",
                "application/alto-costmapfilter+json; charset=UTF-8", "{\"a\":1}");
        post.headers().set("accept", "application/alto-costmap+json");
        assertEquals(200, wire.send(post).answer().status());
        AltoRequest r = seen.get();
        assertEquals("POST", r.method());
        assertEquals("/cost/row x", r.path());
        assertEquals(java.util.List.of("PID1", "PID2"), r.query().get("srcpid"));
        assertEquals("a b", r.param("mode"));
        assertEquals("/cost/row%20x?srcpid=PID1&srcpid=PID2&mode=a+b", r.target());
        assertEquals("application/alto-costmapfilter+json", r.contentType());
        assertEquals("application/alto-costmap+json", r.accept());
        assertEquals("{\"a\":1}", r.body().asUtf8());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void absoluteFormTargetIsAccepted() {
        var seen = new java.util.concurrent.atomic.AtomicReference<AltoRequest>();
        wire = new EmbeddedFrontEnd(request -> {
            seen.set(request);
            return java.util.concurrent.CompletableFuture.completedFuture(Reply.ok(Fixtures.identityOnly()));
        });
        EmbeddedChannel channel = wire.channel();
        assertEquals(200, wire.send(Fixtures.get("http://alto.example/prop/pid?x=1")).answer().status());
        assertEquals("/prop/pid", seen.get().path());
        assertEquals("1", seen.get().param("x"));
        assertFalse(channel.finishAndReleaseAll());
    }
}
