package org.rproxy.core.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.testing.Eventually;

/**
 * {@code /metrics} shows the request-body bytes the front end holds, and its bound, as they are,
 * the HTTP/2 streams whose request is unfinished and their bound (the count followed in
 * {@code Http2UnfinishedStreamsTest}, and on a node's admin page in {@code UnfinishedStreamsIT}),
 * the HTTP/2 streams refused for want of a place among the unfinished requests (counted in
 * {@code Http2UnfinishedStreamsTest}, and at a node configured from YAML in the harness's
 * {@code UnfinishedStreamsIT}), and the pending bytes of copied answers with their bound and the
 * waits for it, and the answers held for HTTP/2 streams with their bound and waits, and the
 * connections refused for their address's limit: every meter the front end registers, by its scraped name.
 */
class FrontEndMetersTest {

    @Test
    void theScrapeShowsTheBodiesArrivingAndTheirBound() throws Exception {
        FrontEndConfig config = FrontEndConfig.defaults("127.0.0.1", 0).withMaxBodyBytesHeld(8L * 1024 * 1024)
                .withMaxUnfinishedStreams(300).withMaxPendingSendBytes(1024 * 1024).withMaxAnswersHeld(500)
                .withMaxConnectionsPerAddress(1);
        try (NodeMeters meters = new NodeMeters();
             AltoHttpServer server = AltoHttpServer.start(config, request -> CompletableFuture.completedFuture(
                     Reply.error(AltoError.syntax("no"), Dialect.JSON)))) {
            FrontEndMeters.bind(meters.registry(), server);
            String scrape = meters.registry().scrape();
            assertTrue(scrape.contains("\nrproxy_request_body_bytes 0.0\n"), scrape);
            assertTrue(scrape.contains("\nrproxy_request_body_max_bytes 8388608.0\n"), scrape);
            assertTrue(scrape.contains("\nrproxy_unfinished_streams_refused_total 0.0\n"), "shown from the start: " + scrape);
            assertTrue(scrape.contains("\nrproxy_unfinished_streams 0.0\n"), "shown from the start: " + scrape);
            assertTrue(scrape.contains("\nrproxy_unfinished_streams_max 300.0\n"), "the bound: " + scrape);
            assertTrue(scrape.contains("\nrproxy_answers_pending_bytes 0.0\n"), "shown from the start: " + scrape);
            assertTrue(scrape.contains("\nrproxy_answers_pending_max_bytes 1048576.0\n"), "the bound: " + scrape);
            assertTrue(scrape.contains("\nrproxy_answers_deferred_total 0.0\n"), "shown from the start: " + scrape);
            assertTrue(scrape.contains("\nrproxy_answers_held 0.0\n"), "shown from the start: " + scrape);
            assertTrue(scrape.contains("\nrproxy_answers_held_max 500.0\n"), "the bound: " + scrape);
            assertTrue(scrape.contains("\nrproxy_answers_held_waits_total 0.0\n"), "shown from the start: " + scrape);
            assertTrue(scrape.contains("\nrproxy_connections_per_address_refused_total 0.0\n"), "shown from the start: " + scrape);
            try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /q HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Eventually.await("a body of 300 declared, begun, shown as held", Duration.ofSeconds(10),
                        () -> meters.registry().scrape().contains("\nrproxy_request_body_bytes 300.0\n"));
                try (Socket second = new Socket("127.0.0.1", server.localAddress().getPort())) {
                    second.setSoTimeout(10_000);
                    Eventually.await("a second connection from the address refused, counted", Duration.ofSeconds(10),
                            () -> meters.registry().scrape().contains("\nrproxy_connections_per_address_refused_total 1.0\n"));
                }
            }
        }
    }
}
