package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;
import org.rproxy.pull.PullProxy;

/**
 * Issue 9's smaller hostile inputs, over real sockets: an error never echoes a huge value, a
 * flood of one made-up path through a pull proxy costs the upstream one request, and a query
 * the upstream stalls on is answered within the configured timeout with a reason saying so.
 */
class HostileInputIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void anErrorEchoesOnlyTheStartOfAHugeValueAtTheOriginAndThroughAProxy() throws Exception {
        try (TestOrigin origin = TestOrigin.start(dir);
             PullProxy proxy = Proxies.start("edge", origin.base(), origin.publicKey, MutableClock.now())) {
            String huge = "x".repeat(500_000);
            String body = "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},"
                    + "\"endpoints\":{\"srcs\":[\"ipv4:" + huge + "\"],\"dsts\":[\"ipv4:10.0.0.1\"]}}";
            for (String base : new String[] {origin.base(), proxy.baseUri()}) {
                HttpResponse<String> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/endpointcost"))
                        .timeout(Duration.ofSeconds(30)).header("content-type", "application/alto-endpointcostparams+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), base + ": " + r.body().substring(0, Math.min(300, r.body().length())));
                assertTrue(r.body().length() < 2_000, base + ": an error body of " + r.body().length() + " bytes");
                JsonNode meta = JSON.readTree(r.body()).path("meta");
                assertTrue(meta.path("value").asText().endsWith(" chars]"), base + ": " + r.body());
            }
        }
    }

    @Test
    void aFloodOfOneMadeUpPathThroughAProxyCostsTheUpstreamOneRequest() throws Exception {
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pub"));
        try (ControlledUpstream upstream = new ControlledUpstream();
             PullProxy proxy = Proxies.start("edge", upstream.baseUri(), pub, MutableClock.now())) {
            for (int i = 0; i < 50; i++) {
                HttpResponse<byte[]> r = Proxies.get(proxy.baseUri() + "/networkmap/made-up");
                assertEquals(404, r.statusCode());
                assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("no such resource"));
            }
            assertEquals(1, upstream.requests("/networkmap/made-up"), upstream.requestCounts().toString());
        }
    }

    @Test
    void aStalledUpstreamIsA504SayingItTimedOutWithinTheTimeout() throws Exception {
        TestSigner signer = new TestSigner();
        Path pub = signer.writePublic(dir.resolve("origin.pub"));
        try (ControlledUpstream upstream = new ControlledUpstream()) {
            upstream.gate = new CompletableFuture<>();
            ProxyConfig c = Proxies.config("edge", upstream.baseUri(), pub);
            c = c.withUpstream(c.upstream().withTimeout(Duration.ofSeconds(1)));
            try (PullProxy proxy = PullProxy.start(c, MutableClock.now())) {
                HttpResponse<String> r = Proxies.HTTP.send(HttpRequest.newBuilder(URI.create(proxy.baseUri()
                        + "/endpointcost")).timeout(Duration.ofSeconds(30))
                        .header("content-type", "application/alto-endpointcostparams+json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"endpoints\":{\"srcs\":[],\"dsts\":[]}}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(504, r.statusCode(), r.body());
                assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElse(null));
                assertTrue(r.body().strip()
                        .matches(".*\\(upstream timed out: no answer within 1000 ms from upstream 127\\.0\\.0\\.1:\\d+\\)"),
                        r.body());
            }
        }
    }
}
