package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.harness.stream.Audience;
import org.rproxy.harness.stream.Change;
import org.rproxy.harness.stream.StreamParams;
import org.rproxy.harness.stream.StreamingViewers;
import org.rproxy.push.PushProxy;

/**
 * The streaming-viewers load against a real push proxy: hundreds of update-stream subscribers
 * over a few HTTP/2 connections each apply and verify the documents and every change; and
 * subscribers that trust another key accept nothing, so the verification they report is real.
 */
class StreamingViewersIT {

    private static final Map<String, String> SUBSCRIPTION = Map.of("nm", "default-network-map", "rc", "routingcost-map");
    private static final int VIEWERS = 300;
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void everySubscriberOverHttp2AppliesAndVerifiesEveryChange() throws Exception {
        try (PushTree tree = PushTree.start(dir)) {
            PushProxy proxy = tree.proxy(tree.originBase());
            String base = proxy.baseUri();
            PushTree.await(LIMIT, "the proxy serves the cost map", () -> tree.bodyOrNull(base, PushTree.COST_MAP) != null);
            Audience audience = Audience.of(tree.verifier, StreamParams.paths(base, SUBSCRIPTION), "rc", VIEWERS);
            URI u = URI.create(base);
            try (StreamingViewers crowd = new StreamingViewers(new InetSocketAddress(u.getHost(), u.getPort()), 3, 1,
                    audience, StreamParams.body(SUBSCRIPTION))) {
                crowd.subscribe(VIEWERS, LIMIT);
                assertEquals(VIEWERS, audience.awaitAttached(LIMIT), "attached; problems: " + audience.problems());
                String before = audience.attachedTag();
                assertNotNull(before);
                for (int cost = 41; cost <= 42; cost++) {
                    Change change = audience.begin(before);
                    tree.writeRoutingCost(cost);
                    assertEquals(VIEWERS, change.await(LIMIT), "reached; problems: " + audience.problems());
                    assertNotEquals(before, change.tag());
                    before = change.tag();
                }
                assertEquals(0, audience.failures(), audience.problems().toString());
                assertEquals(0, audience.lost() + audience.refused(), audience.problems().toString());
                assertTrue(audience.fullVerifications() < audience.digestChecks() / 10,
                        "signatures are shared: " + audience.fullVerifications() + " for " + audience.digestChecks());
            }
        }
    }

    @Test
    void subscribersTrustingAnotherKeyAcceptNothing() throws Exception {
        try (PushTree tree = PushTree.start(dir)) {
            PushProxy proxy = tree.proxy(tree.originBase());
            String base = proxy.baseUri();
            PushTree.await(LIMIT, "the proxy serves the cost map", () -> tree.bodyOrNull(base, PushTree.COST_MAP) != null);
            ResponseVerifier stranger = new ResponseVerifier(List.of(
                    SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey()), Clock.systemUTC());
            int n = 20;
            Audience audience = Audience.of(stranger, StreamParams.paths(base, SUBSCRIPTION), "rc", n);
            URI u = URI.create(base);
            try (StreamingViewers crowd = new StreamingViewers(new InetSocketAddress(u.getHost(), u.getPort()), 2, 1,
                    audience, StreamParams.body(SUBSCRIPTION))) {
                crowd.subscribe(n, LIMIT);
                PushTree.await(LIMIT, "every document refused by every subscriber", () -> audience.failures() >= 2 * n);
                assertEquals(0, audience.awaitAttached(Duration.ZERO));
                assertTrue(audience.problems().get(0).contains("keyid"), audience.problems().toString());
            }
        }
    }
}
