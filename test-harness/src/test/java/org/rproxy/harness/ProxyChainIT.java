package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.app.Main;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * A tree: origin → regional proxy → edge proxy. What the edge serves is byte for byte what the
 * origin signed (body and signed fields, both variants), with only {@code Via} and {@code Age}
 * added; it verifies with the product's verifier, with an independent RFC 9421 verifier and with
 * {@code rproxy fetch}; conditional requests get 304s whose fields verify the held body; computed
 * answers pass through unsigned and say what they came from.
 */
class ProxyChainIT {
    static final List<String> SIGNED_FIELDS = List.of("content-type", "content-encoding", "content-digest", "etag",
            "alto-resource", "signature-input", "signature");

    @TempDir
    static Path dir;
    static Origin origin;
    static PullProxy regional;
    static PullProxy edge;
    static Path pub;
    static ResponseVerifier verifier;
    static IndependentVerifier independent;

    @BeforeAll
    static void start() throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        Files.writeString(maps.resolve("big-network-map.json"), OriginEndToEndIT.bigNetworkMap(300));
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = PrivateKeyFiles.write(dir.resolve("origin.key"), key.toPkcs8Pem());
        pub = Files.writeString(dir.resolve("origin.pub"), key.publicKey().toSpkiPem());
        origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), List.of(), "chain-origin", null));
        regional = Proxies.start("regional", origin.baseUri(), pub, Clock.systemUTC());
        edge = Proxies.start("edge", regional.baseUri(), pub, Clock.systemUTC());
        verifier = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC());
        independent = new IndependentVerifier(pub);
    }

    @AfterAll
    static void stop() {
        edge.close();
        regional.close();
        origin.close();
    }

    /** Every GET document of the directory and the seed's XML paths. */
    static List<String> targets() throws Exception {
        JsonNode ird = new ObjectMapper().readTree(Proxies.get(origin.baseUri() + "/directory").body());
        List<String> out = new ArrayList<>(List.of("/directory", "/capability", "/prop/pid", "/cost/map",
                "/cost/map?type=hopcount"));
        for (Iterator<JsonNode> it = ird.path("resources").elements(); it.hasNext(); ) {
            JsonNode r = it.next();
            if (!r.has("accepts")) {
                out.add(r.path("uri").asText());
            }
        }
        return out;
    }

    @Test
    void theEdgeServesTheOriginsBytesAndSignedFieldsInBothVariants() throws Exception {
        List<String> targets = targets();
        assertTrue(targets.contains("/networkmap/big-network-map"), targets.toString());
        int gzipped = 0;
        for (String t : targets) {
            for (Map<String, String> h : List.of(Map.<String, String>of(), Map.of("Accept-Encoding", "gzip"))) {
                HttpResponse<byte[]> fromOrigin = Proxies.get(origin.baseUri() + t, h);
                HttpResponse<byte[]> fromEdge = Proxies.get(edge.baseUri() + t, h);
                assertEquals(200, fromEdge.statusCode(), t);
                assertArrayEquals(fromOrigin.body(), fromEdge.body(), t + " " + h);
                for (String f : SIGNED_FIELDS) {
                    assertEquals(fromOrigin.headers().allValues(f), fromEdge.headers().allValues(f), t + " " + f + " " + h);
                }
                assertEquals("1.1 regional, 1.1 edge", fromEdge.headers().firstValue("via").orElse(null));
                assertTrue(fromEdge.headers().firstValue("age").isPresent());
                assertTrue(fromEdge.headers().firstValue("cache-control").orElse("").startsWith("max-age="));
                assertValid(t, fromEdge);
                if (fromEdge.headers().firstValue("content-encoding").isPresent()) {
                    gzipped++;
                }
            }
        }
        assertTrue(gzipped >= 1, "the big map has a gzip variant");
    }

    @Test
    void theFetchCommandVerifiesEveryResourceReadThroughTheChain() throws Exception {
        for (String t : targets()) {
            assertEquals(0, Main.run("fetch", edge.baseUri() + t, "--trust", pub.toString()), t);
            assertEquals(0, Main.run("fetch", regional.baseUri() + t, "--trust", pub.toString(), "--gzip"), t);
        }
    }

    @Test
    void aConditionalRequestToTheEdgeIsA304WhoseFieldsVerifyTheHeldBody() throws Exception {
        String t = "/costmap/routingcost-map";
        HttpResponse<byte[]> first = Proxies.get(edge.baseUri() + t);
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> again = Proxies.get(edge.baseUri() + t, Map.of("If-None-Match", etag));
        assertEquals(304, again.statusCode());
        assertEquals(0, again.body().length);
        Verdict v = verifier.verify(n -> again.headers().firstValue(n).or(() -> first.headers().firstValue(n)).orElse(null),
                first.body(), new Expectation(t, null));
        assertTrue(v.valid(), v.toString());
    }

    @Test
    void computedAnswersPassThroughTheChainUnsignedAndSayWhereTheyCameFrom() throws Exception {
        HttpResponse<byte[]> row = Proxies.get(edge.baseUri() + "/cost/row?srcpid=PID1");
        assertEquals(200, row.statusCode());
        assertTrue(row.headers().firstValue("signature").isEmpty());
        assertTrue(row.headers().firstValue("alto-derived-from").orElse("").contains("routingcost-map"));
        assertEquals(1, Main.run("fetch", edge.baseUri() + "/cost/row?srcpid=PID1", "--trust", pub.toString()));

        String body = "{\"properties\":[\"default-network-map.pid\"],\"endpoints\":[\"ipv4:128.36.1.10\"]}";
        HttpRequest post = HttpRequest.newBuilder(URI.create(edge.baseUri() + "/endpointprop"))
                .header("Content-Type", "application/alto-endpointpropparams+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> prop = Proxies.HTTP.send(post, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, prop.statusCode(), prop.body());
        assertTrue(prop.body().contains("\"PID1\""), prop.body());
        assertTrue(prop.headers().firstValue("alto-derived-from").isPresent());
        assertTrue(prop.headers().firstValue("signature").isEmpty());
    }

    @Test
    void clientMistakesGetTheOriginsAltoErrorsThroughTheChain() throws Exception {
        HttpResponse<byte[]> missing = Proxies.get(edge.baseUri() + "/no/such/thing");
        assertEquals(404, missing.statusCode());
        assertTrue(new String(missing.body(), StandardCharsets.UTF_8).contains("E_INVALID_FIELD_VALUE"));
        HttpResponse<byte[]> badPid = Proxies.get(edge.baseUri() + "/cost/row?srcpid=PID9");
        String text = new String(badPid.body(), StandardCharsets.UTF_8);
        assertEquals(400, badPid.statusCode(), text);
        assertTrue(text.contains("srcpid") && text.contains("urn:ietf:params:xml:ns:p2p:alto"), text);
    }

    private static void assertValid(String target, HttpResponse<byte[]> r) throws Exception {
        Verdict v = verifier.verify(n -> r.headers().firstValue(n).orElse(null), r.body(), new Expectation(target, null));
        assertTrue(v.valid(), target + ": " + v);
        assertNull(independent.check(n -> r.headers().firstValue(n).orElse(null), r.body()), target);
    }
}
