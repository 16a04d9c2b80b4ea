package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.app.Main;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.ResponseVerifier.Expectation;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.Verdict.Outcome;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.origin.Origin;

/**
 * Starts a real file origin on an ephemeral loopback port with the sample maps (plus a larger
 * generated map, so that gzip variants exist) and checks every path over real sockets: each
 * signed document verifies with the product's verifier and with an independent RFC 9421
 * verifier; tampering and the wrong key are rejected; conditional requests renew signatures;
 * bad input gets RFC 7285 errors and the server keeps serving.
 */
class OriginEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TestOrigin testOrigin;
    static Origin origin;
    static String base;
    static Path pub;
    static Path otherPub;
    static ResponseVerifier verifier;
    static IndependentVerifier independent;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        testOrigin = TestOrigin.start(dir, "big-network-map.json", bigNetworkMap(300));
        origin = testOrigin.origin;
        base = testOrigin.base();
        pub = testOrigin.publicKey;
        otherPub = dir.resolve("other.pub");
        Files.writeString(otherPub, SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom()).publicKey().toSpkiPem());
        verifier = new ResponseVerifier(List.of(VerificationKey.readPem(pub)), Clock.systemUTC());
        independent = new IndependentVerifier(pub);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (testOrigin != null) {
            testOrigin.close();
        }
    }

    @Test
    void everyResourceTheDirectoryListsForGetVerifies() throws Exception {
        HttpResponse<byte[]> dirResponse = get("/directory", Map.of());
        assertValid("/directory", dirResponse);
        JsonNode ird = JSON.readTree(dirResponse.body());
        assertEquals("default-network-map", ird.path("meta").path("default-alto-network-map").asText());
        assertEquals(origin.keyId(), ird.path("meta").path("alto-redist").path("keys").get(0).path("kid").asText());
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = ird.path("resources").properties().iterator(); it.hasNext(); ) {
            JsonNode r = it.next().getValue();
            if (r.has("accepts")) {
                continue;
            }
            String uri = r.path("uri").asText();
            HttpResponse<byte[]> resp = get(uri, Map.of());
            assertEquals(r.path("media-type").asText(), resp.headers().firstValue("content-type").orElse(null), uri);
            assertValid(uri, resp);
            checked++;
        }
        assertTrue(checked >= 4, "network maps and cost maps: " + checked);
    }

    @Test
    void theSeedXmlPathsVerify() throws Exception {
        for (String path : List.of("/capability", "/prop/pid", "/cost/map", "/cost/map?type=routingcost", "/cost/map?type=hopcount")) {
            HttpResponse<byte[]> resp = get(path, Map.of());
            assertEquals("application/xml", resp.headers().firstValue("content-type").orElse(null), path);
            assertTrue(new String(resp.body(), StandardCharsets.UTF_8).contains("urn:ietf:params:xml:ns:p2p:alto"), path);
            assertValid(path, resp);
        }
        String pids = new String(get("/prop/pid", Map.of()).body(), StandardCharsets.UTF_8);
        assertTrue(pids.contains("<cidr4 name=\"128.36.1.0/24\"/>"), pids);
        String cost = new String(get("/cost/map", Map.of()).body(), StandardCharsets.UTF_8);
        assertTrue(cost.contains("type=\"routingcost\""), cost);
    }

    @Test
    void theGzipVariantIsSignedOverItsCompressedBytes() throws Exception {
        String path = "/networkmap/big-network-map";
        HttpResponse<byte[]> plain = get(path, Map.of());
        HttpResponse<byte[]> gz = get(path, Map.of("Accept-Encoding", "gzip"));
        assertEquals("gzip", gz.headers().firstValue("content-encoding").orElse(null));
        assertValid(path, gz);
        assertFalse(plain.headers().firstValue("etag").equals(gz.headers().firstValue("etag")));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
            assertEquals(new String(plain.body(), StandardCharsets.UTF_8), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertTrue(gz.headers().allValues("vary").toString().toLowerCase().contains("accept-encoding"));
    }

    @Test
    void aConditionalRequestIsAnswered304WithSignatureHeadersThatVerifyTheHeldBody() throws Exception {
        String path = "/costmap/routingcost-map";
        HttpResponse<byte[]> first = get(path, Map.of());
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> again = get(path, Map.of("If-None-Match", etag));
        assertEquals(304, again.statusCode());
        assertEquals(0, again.body().length);
        assertEquals(etag, again.headers().firstValue("etag").orElse(null));
        // RFC 9111 §4.3.4: the 304's headers update the stored response; the result must verify.
        Verdict v = verifier.verify(
                n -> again.headers().firstValue(n).or(() -> first.headers().firstValue(n)).orElse(null),
                first.body(), new Expectation(path, null));
        assertTrue(v.valid(), v.toString());
    }

    @Test
    void aChangedByteOrAnotherKeyIsRejected() throws Exception {
        String path = "/networkmap/default-network-map";
        HttpResponse<byte[]> resp = get(path, Map.of());
        byte[] tampered = resp.body().clone();
        tampered[tampered.length / 2] ^= 0x01;
        Verdict v = verifier.verify(n -> resp.headers().firstValue(n).orElse(null), tampered,
                new Expectation(path, null));
        assertEquals(Outcome.DIGEST_MISMATCH, v.outcome());
        assertNotNull(independent.check(n -> resp.headers().firstValue(n).orElse(null), tampered));

        ResponseVerifier other = new ResponseVerifier(List.of(VerificationKey.readPem(otherPub)), Clock.systemUTC());
        assertEquals(Outcome.UNKNOWN_KEY, other.verify(n -> resp.headers().firstValue(n).orElse(null), resp.body(),
                new Expectation(path, null)).outcome());
        assertEquals(Outcome.WRONG_RESOURCE, verifier.verify(n -> resp.headers().firstValue(n).orElse(null), resp.body(),
                new Expectation("/networkmap/big-network-map", null)).outcome());
    }

    @Test
    void theFetchCommandPrintsAVerdictAndExitsZeroOnlyWhenValid() {
        assertEquals(0, Main.run("fetch", base + "/prop/pid", "--trust", pub.toString()));
        assertEquals(0, Main.run("fetch", base + "/directory", "--trust", pub.toString(), "--gzip"));
        assertEquals(1, Main.run("fetch", base + "/prop/pid", "--trust", otherPub.toString()));
        assertEquals(1, Main.run("fetch", base + "/cost/row?srcpid=PID1", "--trust", pub.toString()));
    }

    @Test
    void computedAnswersAreUnsignedAndNameTheSignedMapsTheyCameFrom() throws Exception {
        HttpResponse<byte[]> row = get("/cost/row?srcpid=PID1", Map.of());
        assertEquals(200, row.statusCode());
        assertTrue(row.headers().firstValue("signature").isEmpty());
        assertTrue(row.headers().firstValue("alto-derived-from").orElse("").contains("routingcost-map"));
        String xml = new String(row.body(), StandardCharsets.UTF_8);
        assertTrue(xml.contains("srcpid=\"PID1\"") && xml.contains("cost=\"5\"") && !xml.contains("srcpid=\"PID2\""), xml);

        HttpResponse<byte[]> prop = post("/endpointprop", "application/alto-endpointpropparams+json",
                "{\"properties\":[\"default-network-map.pid\"],\"endpoints\":[\"ipv4:128.36.1.10\",\"ipv4:8.8.8.8\"]}");
        assertEquals(200, prop.statusCode(), new String(prop.body(), StandardCharsets.UTF_8));
        JsonNode props = JSON.readTree(prop.body()).path("endpoint-properties");
        assertEquals("PID1", props.path("ipv4:128.36.1.10").path("default-network-map.pid").asText());
        assertEquals("PID3", props.path("ipv4:8.8.8.8").path("default-network-map.pid").asText());

        HttpResponse<byte[]> rank = post("/cost/m?mode=ordinal", "application/xml",
                "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"routingcost\">"
                        + "<srcendp name=\"ipv4:128.36.22.1\"/><dstendp name=\"ipv4:9.9.9.9\"/>"
                        + "<dstendp name=\"ipv4:130.132.3.4\"/></costquery></alto>");
        assertEquals(200, rank.statusCode(), new String(rank.body(), StandardCharsets.UTF_8));
        String ranking = new String(rank.body(), StandardCharsets.UTF_8);
        // 128.36.22.1 is in PID3 (default): PID3->PID2 = 15 (130.132.3.4), PID3->PID3 unknown.
        assertTrue(ranking.contains("mode=\"ordinal\""), ranking);
        assertTrue(ranking.indexOf("130.132.3.4") > 0, ranking);
    }

    /**
     * The presentation's own ranking example (use case 3: a client ranks three candidate peers)
     * against the sample maps: every candidate comes back, in cost order. All three and the client
     * fall in PID3, which the routing cost map gives no cost to itself: ranked at cost 0, not dropped.
     */
    @Test
    void theSeedRankingExampleReturnsEveryCandidateInCostOrder() throws Exception {
        HttpResponse<byte[]> rank = post("/cost/m?mode=ordinal", "application/xml",
                "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"routingcost\">"
                        + "<srcendp name=\"ipv4:128.36.22.1\"/><dstendp name=\"ipv4:130.132.33.4\"/>"
                        + "<dstendp name=\"ipv4:128.30.24.89\"/><dstendp name=\"ipv4:12.32.67.3\"/>"
                        + "</costquery></alto>");
        String ranking = new String(rank.body(), StandardCharsets.UTF_8);
        assertEquals(200, rank.statusCode(), ranking);
        assertTrue(ranking.contains("size=\"3\""), ranking);
        List<Double> costs = new ArrayList<>();
        Matcher m = Pattern.compile("<(?:\\w+:)?endpoint[^>]*? name=\"([^\"]+)\"[^>]*? cost=\"([^\"]+)\"")
                .matcher(ranking);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            costs.add(Double.valueOf(m.group(2)));
        }
        assertEquals(List.of("ipv4:12.32.67.3", "ipv4:128.30.24.89", "ipv4:130.132.33.4"),
                names.stream().sorted().toList(), ranking);
        for (int i = 1; i < costs.size(); i++) {
            assertTrue(costs.get(i - 1) <= costs.get(i), "not in cost order: " + ranking);
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {4} {5}")
    @CsvSource(delimiter = '|', value = {
            "GET   | /no/such/thing          |                                         |                                  | 404 | E_INVALID_FIELD_VALUE | uri",
            "PUT   | /directory              |                                         |                                  | 405 | E_INVALID_FIELD_VALUE | method",
            "POST  | /directory              | application/json                        | {}                               | 405 | E_INVALID_FIELD_VALUE | method",
            "GET   | /cost/row?srcpid=PID9   |                                         |                                  | 400 | E_INVALID_FIELD_VALUE | srcpid",
            "GET   | /cost/row               |                                         |                                  | 400 | E_MISSING_FIELD       | srcpid",
            "GET   | /cost/map?type=airmiles |                                         |                                  | 404 | E_INVALID_FIELD_VALUE | type",
            "POST  | /endpointprop           | text/plain                              | {}                               | 415 | E_INVALID_FIELD_VALUE | content-type",
            "POST  | /endpointprop           | application/alto-endpointpropparams+json | {not json                       | 400 | E_SYNTAX              | ",
            "POST  | /endpointprop           | application/alto-endpointpropparams+json | {\"properties\":[\"default-network-map.pid\"]} | 400 | E_MISSING_FIELD | endpoints",
            "POST  | /endpointprop           | application/alto-endpointpropparams+json | {\"properties\":[\"default-network-map.pid\"],\"endpoints\":[\"ipv4:1.2.3.999\"]} | 400 | E_INVALID_FIELD_VALUE | endpoints",
            "POST  | /endpointprop           | application/alto-endpointpropparams+json | {\"properties\":\"x\",\"endpoints\":[]} | 400 | E_INVALID_FIELD_TYPE | properties",
            "POST  | /costmap/default-network-map/filtered | application/alto-costmapfilter+json | {\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"airmiles\"},\"pids\":{\"srcs\":[],\"dsts\":[]}} | 400 | E_INVALID_FIELD_VALUE | cost-type/cost-metric",
            "POST  | /cost/m?mode=ordinal    | application/xml                         | <alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery> | 400 | E_SYNTAX | ",
            "POST  | /cost/m?mode=ordinal    | application/xml                         | <alto><costquery/></alto>       | 400 | E_MISSING_FIELD       | alto",
            "POST  | /cost/m                 | application/xml                         | <x/>                             | 400 | E_MISSING_FIELD       | mode",
            "GET   | /prop/pid?pid=PIDX      |                                         |                                  | 400 | E_INVALID_FIELD_VALUE | pid",
            "GET   | /prop/pid/lookup?endpoint=ipv4:300.1.1.1 |                        |                                  | 400 | E_INVALID_FIELD_VALUE | endpoint",
            "POST  | /endpointcost           | application/alto-endpointcostparams+json | {\"cost-type\":{\"cost-mode\":\"sideways\",\"cost-metric\":\"routingcost\"},\"endpoints\":{\"srcs\":[\"ipv4:1.2.3.4\"],\"dsts\":[\"ipv4:1.2.3.5\"]}} | 400 | E_INVALID_FIELD_VALUE | cost-type/cost-mode",
    })
    void badInputGetsAnAltoErrorAndTheServerKeepsServing(String method, String path, String type, String body,
                                                         int status, String code, String field) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5));
        if (type != null) {
            b.header("Content-Type", type);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String text = new String(resp.body(), StandardCharsets.UTF_8);
        assertEquals(status, resp.statusCode(), text);
        assertTrue(text.contains(code), text);
        if (field != null) {
            assertTrue(text.contains("\"" + field + "\""), text);
        }
        if (status == 405) {
            assertTrue(resp.headers().firstValue("allow").isPresent(), "405 without Allow");
        }
        assertFalse(text.contains("Exception") || text.contains("<html"), text);
        assertEquals(200, get("/directory", Map.of()).statusCode());
    }

    /** RFC 9110 §10.2.1: a 405 says what the resource accepts, whichever layer refused the method. */
    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
            "POST   | /directory                            | 405 | GET, HEAD",
            "PUT    | /directory                            | 405 | GET, HEAD",
            "DELETE | /networkmap/default-network-map       | 405 | GET, HEAD",
            "POST   | /prop/pid                             | 405 | GET, HEAD",
            "GET    | /costmap/default-network-map/filtered | 405 | POST",
            "HEAD   | /networkmap/default-network-map/filtered | 405 | POST",
            "PUT    | /costmap/default-network-map/filtered | 405 | POST",
            "GET    | /endpointprop                         | 405 | POST",
            "DELETE | /endpointcost                         | 405 | POST",
            "GET    | /cost/m                               | 405 | POST",
            "PUT    | /prop/pid/lookup                      | 405 | GET, HEAD, POST",
            "PUT    | /no/such/thing                        | 404 | ",
    })
    void methodRefusalsSayWhatTheResourceAccepts(String method, String path, int status, String allow) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/json").build();
        HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(status, resp.statusCode(), new String(resp.body(), StandardCharsets.UTF_8));
        assertEquals(allow, resp.headers().firstValue("allow").orElse(null));
    }

    private static void assertValid(String path, HttpResponse<byte[]> resp) throws Exception {
        assertEquals(200, resp.statusCode(), path + ": " + new String(resp.body(), StandardCharsets.UTF_8));
        Verdict v = verifier.verify(n -> resp.headers().firstValue(n).orElse(null), resp.body(),
                new Expectation(path, null));
        assertTrue(v.valid(), path + ": " + v);
        assertNull(independent.check(n -> resp.headers().firstValue(n).orElse(null), resp.body()), path);
    }

    private static HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> post(String path, String type, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A network map of {@code n} /24 PIDs plus a default, large enough to get a gzip variant. */
    static String bigNetworkMap(int n) {
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pids.add("\"pop-" + i + "\":{\"ipv4\":[\"10." + (i / 256) + "." + (i % 256) + ".0/24\"]}");
        }
        pids.add("\"rest\":{\"ipv4\":[\"0.0.0.0/0\"]}");
        return "{\"network-map\":{" + String.join(",", pids) + "}}";
    }
}
