package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.server.EmbeddedFrontEnd.Answer;
import org.rproxy.core.store.HeaderField;

/** If-None-Match (RFC 9110 §13.1.2) and the 304 it earns (RFC 9110 §15.4.5, RFC 9111 §4.3.4). */
class ConditionalGetTest {

    private final EmbeddedFrontEnd wire = new EmbeddedFrontEnd(Fixtures.serving(Fixtures.withGzip()));
    private final EmbeddedChannel channel = wire.channel();

    @AfterEach
    void closeClient() {
        wire.closeClient();
    }

    @ParameterizedTest(name = "If-None-Match: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "\"nm-1\"                         | 304",
        "W/\"nm-1\"                       | 304",
        "\"other\"                        | 200",
        "\"a\", \"nm-1\", \"b\"           | 304",
        "\"a\",W/\"nm-1\"                 | 304",
        "\"a\", \"b\"                     | 200",
        "*                                | 304",
        "\"nm-1-gz\"                      | 200",
        "\"nm-1                           | 200",
        "nm-1                             | 200",
        "\"nm-1\" trailing-garbage        | 304",
    })
    void identityVariantIsComparedWeakly(String ifNoneMatch, int expected) {
        FullHttpRequest get = Fixtures.get("/networkmap");
        get.headers().set("if-none-match", ifNoneMatch);
        Answer a = wire.send(get).answer();
        assertEquals(expected, a.status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void gzipVariantIsComparedWithItsOwnTag() {
        FullHttpRequest get = Fixtures.get("/networkmap");
        get.headers().set("accept-encoding", "gzip");
        get.headers().set("if-none-match", Fixtures.GZIP_TAG);
        assertEquals(304, wire.send(get).answer().status());
        FullHttpRequest stale = Fixtures.get("/networkmap");
        stale.headers().set("accept-encoding", "gzip");
        stale.headers().set("if-none-match", Fixtures.IDENTITY_TAG);
        assertEquals(200, wire.send(stale).answer().status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void tagsSpreadOverSeveralFieldLinesAreAllConsidered() {
        FullHttpRequest get = Fixtures.get("/networkmap");
        get.headers().add("if-none-match", "\"a\"");
        get.headers().add("if-none-match", "\"nm-1\"");
        assertEquals(304, wire.send(get).answer().status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void notModifiedCarriesValidatorsFreshnessAndSignatureWithoutBody() {
        FullHttpRequest get = Fixtures.get("/networkmap");
        get.headers().set("if-none-match", Fixtures.IDENTITY_TAG);
        Answer a = wire.send(get).answer();
        assertEquals(304, a.status());
        assertEquals(0, a.body().length);
        for (HeaderField f : Fixtures.identity(Fixtures.JSON).headers()) {
            assertEquals(f.value(), a.header(f.name()), f.name());
        }
        assertEquals("max-age=300, no-transform, stale-while-revalidate=300, stale-if-error=3299", a.header("cache-control"));
        assertEquals("Accept-Encoding, X-Varnish", a.header("vary"));
        assertEquals("Sat, 01 Mar 2025 12:00:00 GMT", a.header("date"));
        assertNull(a.header("content-length"));
        assertTrue(channel.isOpen());
        // The connection stays usable: the next answer is framed correctly.
        assertEquals(Fixtures.JSON, wire.send(Fixtures.get("/networkmap")).answer().text());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headIsAnsweredNotModifiedToo() {
        FullHttpRequest head = Fixtures.request(HttpMethod.HEAD, "/networkmap");
        head.headers().set("if-none-match", "*");
        assertEquals(304, wire.send(head).answer().status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void postIgnoresTheConditionAndGetsTheFullAnswer() {
        FullHttpRequest post = Fixtures.post("/costmap/filtered", "application/alto-costmapfilter+json", "{}");
        post.headers().set("if-none-match", Fixtures.IDENTITY_TAG);
        Answer a = wire.send(post).answer();
        assertEquals(200, a.status());
        assertEquals(Fixtures.JSON, a.text());
        assertFalse(channel.finishAndReleaseAll());
    }
}
