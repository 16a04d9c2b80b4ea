package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http2.Http2Settings;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * The test client itself: closing it releases everything its streams hold, even a paused stream
 * the server reset whose queued DATA frames were never read (Netty's multiplexer does not close
 * such a stream when the connection closes, as it is no longer active). Before, their pooled
 * buffers leaked and {@code LeakGuard} failed whichever class ran next under load.
 */
class Http2TestClientTest {

    @Test
    void closingTheClientClosesAResetPausedStreamThatWasNeverRead() throws Exception {
        byte[] body = new byte[256 * 1024];
        Representation doc = new Representation(new Variant(Bytes.wrap(body), null,
                List.of(new HeaderField("content-type", "application/octet-stream"), new HeaderField("etag", "\"big\""))),
                null, 60, Instant.now(), Instant.now().plus(Duration.ofHours(1)));
        AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0).withIdleTimeout(Duration.ofMillis(1000)),
                request -> CompletableFuture.completedFuture(Reply.ok(doc)));
        Http2TestClient client = new Http2TestClient(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), null,
                Http2Settings.defaultSettings().initialWindowSize(16 * 1024));
        Http2TestClient.Call stalled;
        try {
            stalled = client.openPaused("/big");
            // the server resets the stalled stream after one timeout (1 s: with 300 ms a loaded machine
            // saw the idle connection closed before the stream opened); nothing of it is read
            stalled.reset.get(Http2TestClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            client.close();
            server.close();
        }
        assertFalse(stalled.stream.isOpen(), "the client closed the stream, releasing its queued frames");
    }
}
