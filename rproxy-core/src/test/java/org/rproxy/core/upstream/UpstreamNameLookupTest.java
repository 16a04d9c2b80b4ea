package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.core.testing.HeldLookups;

/**
 * The upstream's host name is looked up off the client's event loop: a lookup that hangs (held
 * here on a latch, as a slow resolver or an unreadable hosts file would) leaves the loop running
 * its other work, and the request fails by its own deadline, naming the host. A lookup that
 * answers leads to the upstream, a real front end on a loopback port, asked with the name.
 */
class UpstreamNameLookupTest {
    private static final String NAME = "upstream.test";
    private final CountDownLatch asked = new CountDownLatch(1);
    private final CountDownLatch answer = new CountDownLatch(1);
    private AltoHttpServer server;

    @BeforeEach
    void start() {
        server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), request -> {
            Instant now = Instant.now();
            Variant v = new Variant(Bytes.wrap(("host " + request.host()).getBytes(StandardCharsets.UTF_8)),
                    null, List.of(new HeaderField("content-type", "text/plain")));
            return CompletableFuture.completedFuture(Reply.ok(new Representation(v, null, 60, now, now.plusSeconds(3600))));
        });
    }

    @AfterEach
    void stop() {
        answer.countDown();
        server.close();
    }

    /** Looks {@link #NAME} up as loopback, once {@link #answer} is counted down. */
    private NameLookup heldLookup() {
        return HeldLookups.loopback(NAME, asked, answer);
    }

    private UpstreamClient client(Duration timeout) {
        return UpstreamClient.start(new UpstreamClient.Settings(NAME, server.localAddress().getPort(), null, 2,
                Duration.ofSeconds(2), timeout, 1 << 20, 1), heldLookup());
    }

    @Test
    void aLookupThatHangsLeavesTheLoopFreeAndTheRequestFailsByItsDeadlineNamingTheHost() throws Exception {
        try (UpstreamClient client = client(Duration.ofMillis(500))) {
            CompletableFuture<UpstreamResponse> sent = client.send(UpstreamRequest.get("/a", List.of()));
            assertTrue(asked.await(10, TimeUnit.SECONDS), "the name was never looked up");

            CountDownLatch ran = new CountDownLatch(1);
            client.eventLoop().execute(ran::countDown);
            assertTrue(ran.await(10, TimeUnit.SECONDS), "the event loop ran nothing while the name was looked up");

            ExecutionException e = assertThrows(ExecutionException.class, () -> sent.get(10, TimeUnit.SECONDS));
            UpstreamException u = (UpstreamException) e.getCause();
            assertEquals(UpstreamException.Kind.UNREACHABLE, u.kind(), u.getMessage());
            assertTrue(u.getMessage().contains("no address for " + NAME + " within 500 ms"), u.getMessage());
        }
    }

    @Test
    void aNameLookedUpOffTheLoopLeadsToTheUpstreamAskedWithThatName() throws Exception {
        answer.countDown();
        try (UpstreamClient client = client(Duration.ofSeconds(5))) {
            UpstreamResponse r = client.send(UpstreamRequest.get("/a", List.of())).get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("host " + NAME + ":" + server.localAddress().getPort(), r.body().asUtf8());
        }
    }
}
