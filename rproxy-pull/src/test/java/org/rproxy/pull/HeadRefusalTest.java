package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * A HEAD the proxy passes upstream goes as a GET (one cache key for both), so the upstream's 405
 * names GET; the client sent HEAD, and is told so, as the origin asked directly tells it.
 */
class HeadRefusalTest {
    final FeedFixture fixture = new FeedFixture();
    final FakeUpstream upstream = fixture.upstream;
    PullService service;

    @BeforeEach
    void start() {
        service = fixture.service(null);
        upstream.fixed = new UpstreamResponse(405, List.of(new HeaderField("content-type", "application/alto-error+json"),
                new HeaderField("allow", "POST")), Bytes.utf8("{\"meta\":{\"code\":\"E_INVALID_FIELD_VALUE\","
                + "\"field\":\"method\",\"value\":\"GET\",\"message\":\"method: /endpointcost accepts POST only\"}}"));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private AltoError refused(String method) throws Exception {
        Reply r = service.handle(new AltoRequest(method, "/endpointcost", Map.of(), "/endpointcost", null, null,
                Bytes.empty())).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Reply.Error e = assertInstanceOf(Reply.Error.class, r);
        assertEquals("POST", e.allow());
        return e.error();
    }

    @Test
    void aHeadRefusedUpstreamNamesHeadAsTheMethodAtFault() throws Exception {
        AltoError head = refused("HEAD");
        assertEquals(405, head.httpStatus());
        assertEquals("method", head.field());
        assertEquals("HEAD", head.value());
        assertEquals("GET", refused("GET").value(), "a GET's refusal is passed on as it came");
    }
}
