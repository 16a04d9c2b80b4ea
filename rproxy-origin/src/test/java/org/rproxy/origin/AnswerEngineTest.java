package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.sign.ResponseSigner;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.core.store.Representation;
import org.rproxy.core.testing.MutableClock;

/**
 * {@link AnswerEngine} against the origin's own service over the same signed documents: every
 * answer computed from held maps is the origin's answer, byte for byte and header for header,
 * and a query whose maps are not all held (or not of matching versions, or expired) is left to
 * the caller to forward.
 */
class AnswerEngineTest {
    static final String NETWORK_MAP = """
            {"meta":{"vtag":{"resource-id":"default-network-map"}},"network-map":{
             "PID1":{"ipv4":["128.36.1.0/24","132.130.1.0/24"],"ipv6":["2001:db8:1::/48"]},
             "PID2":{"ipv4":["130.132.3.0/24"],"ipv6":["2001:db8:2::/48"]},
             "PID3":{"ipv4":["0.0.0.0/0"],"ipv6":["::/0"]}}}""";
    static final String ROUTINGCOST = """
            {"meta":{"dependent-vtags":[{"resource-id":"default-network-map"}],
             "cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"}},
             "cost-map":{"PID1":{"PID2":5,"PID3":10},"PID2":{"PID1":5,"PID3":15},"PID3":{"PID1":20,"PID2":15}}}""";
    static final String HOPCOUNT = """
            {"meta":{"dependent-vtags":[{"resource-id":"default-network-map"}],
             "cost-type":{"cost-mode":"numerical","cost-metric":"hopcount"}},
             "cost-map":{"PID1":{"PID1":0,"PID2":2,"PID3":4},"PID2":{"PID1":2,"PID3":3},"PID3":{"PID1":4,"PID2":3}}}""";
    static final String PROPERTIES = """
            {"meta":{"vtag":{"resource-id":"endpoint-properties"}},
             "endpoint-properties":{"ipv4:128.36.1.10":{"access":"adsl"}}}""";
    static final String RANKING = "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"><costquery type=\"routingcost\">"
            + "<srcendp name=\"ipv4:128.36.1.9\"/><dstendp name=\"ipv4:10.1.1.1\"/><dstendp name=\"ipv6:2001:db8:2::7\"/>"
            + "<dstendp name=\"ipv4:8.8.8.8\"/></costquery></alto>";

    @TempDir
    Path dir;
    final MutableClock clock = MutableClock.now();
    final SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new java.security.SecureRandom());
    final XmlCodec xml = new XmlCodec();
    OriginService origin;
    Map<String, Representation> signed;

    @BeforeEach
    void publish() throws IOException {
        publish(Map.of("default-network-map.json", NETWORK_MAP, "routingcost-map.json", ROUTINGCOST,
                "hopcount-map.json", HOPCOUNT, "endpoint-properties.json", PROPERTIES));
    }

    private void publish(Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        Catalog catalog = new Catalog(MapsFolder.load(dir), List.of(key.publicKey().jwk()), List.of(), "test",
                "http://127.0.0.1:1", xml);
        DocumentSigner signer = new DocumentSigner(new ResponseSigner(key), Duration.ofHours(1), Duration.ofSeconds(60));
        signed = new HashMap<>();
        catalog.documents().forEach((path, doc) -> signed.put(path, signer.sign(doc, clock.instant())));
        origin = new OriginService(Runnable::run, clock, QueryLimits.DEFAULTS);
        origin.install(catalog, signed, Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            POST | /endpointcost | application/alto-endpointcostparams+json | {"cost-type":{"cost-mode":"numerical","cost-metric":"routingcost"},"endpoints":{"srcs":["ipv4:128.36.1.9"],"dsts":["ipv4:10.1.1.1","ipv6:2001:db8:2::1","ipv4:8.8.8.8"]}}
            POST | /endpointcost | application/alto-endpointcostparams+json | {"cost-type":{"cost-mode":"ordinal","cost-metric":"hopcount"},"endpoints":{"srcs":["ipv6:2001:db8:1::5"],"dsts":["ipv4:10.1.1.1","ipv4:130.132.3.3"]}}
            POST | /endpointcost | application/alto-endpointcostparams+json | {"cost-type":{"cost-mode":"numerical","cost-metric":"latency"},"endpoints":{"srcs":["ipv4:128.36.1.9"],"dsts":["ipv4:10.1.1.1"]}}
            POST | /endpointcost | application/alto-endpointcostparams+json | {"cost-type":{"cost-mode":"numerical"},"endpoints":{}}
            POST | /endpointcost | application/json | {}
            POST | /endpointprop | application/alto-endpointpropparams+json | {"properties":["default-network-map.pid"],"endpoints":["ipv4:128.36.1.10","ipv4:8.8.8.8","ipv6:2001:db8:2::9"]}
            POST | /endpointprop | application/alto-endpointpropparams+json | {"properties":["default-network-map.pid","nonsense"],"endpoints":["ipv4:128.36.1.10"]}
            POST | /networkmap/default-network-map/filtered | application/alto-networkmapfilter+json | {"pids":["PID2","PID9"]}
            POST | /networkmap/default-network-map/filtered | application/alto-networkmapfilter+json | {"pids":"PID2"}
            POST | /costmap/default-network-map/filtered | application/alto-costmapfilter+json | {"cost-type":{"cost-mode":"ordinal","cost-metric":"routingcost"},"pids":{"srcs":["PID1"],"dsts":[]}}
            POST | /costmap/default-network-map/filtered | application/alto-costmapfilter+json | {"cost-type":{"cost-mode":"numerical","cost-metric":"bandwidth"}}
            GET  | /cost/row?srcpid=PID2 | |
            GET  | /cost/row?srcpid=PID2&type=hopcount | |
            GET  | /cost/row?srcpid=PID9 | |
            GET  | /cost/row?srcpid=PID1&type=nope | |
            GET  | /cost/row?srcpid=PID1&colour=red | |
            GET  | /prop/pid?pid=PID1&pid=PID3 | |
            GET  | /prop/pid/lookup?endpoint=ipv4:130.132.3.3&endpoint=ipv6:2001:db8:1::1&endpoint=ipv4:8.8.8.8 | |
            GET  | /prop/pid/lookup?endpoint=ipv4:300.1.1.1 | |
            POST | /cost/m?mode=ordinal | application/xml | RANKING
            POST | /cost/m?mode=numerical | application/xml | RANKING
            POST | /cost/m?mode=sideways | application/xml | RANKING
            POST | /cost/m?mode=ordinal | application/xml | <alto><broken
            """)
    void aQueryAnsweredFromTheHeldMapsIsTheOriginsAnswer(String method, String target, String type, String body) {
        AltoRequest req = request(method, target, type, "RANKING".equals(body) ? RANKING : body);
        AnswerEngine held = AnswerEngine.build(signed::get, AnswerEngine.none(), clock);
        assertTrue(held.routes(req), target);
        Reply local = held.answer(req);
        assertNotNull(local, target);
        assertSameReply(origin.handle(req).toCompletableFuture().join(), local);
    }

    @Test
    void aRankingQueryWithADestinationInAnotherNamespaceIsRefusedNamingItAtTheOriginAndAtAProxy() {
        // one destination more, in a namespace not the dialect's: once read as if it were the dialect's
        AltoRequest req = request("POST", "/cost/m?mode=numerical", "application/xml",
                RANKING.replace("</costquery>", "<x:dstendp xmlns:x=\"urn:example:other\" name=\"ipv4:130.132.3.3\"/>"
                        + "</costquery>"));
        Reply atOrigin = origin.handle(req).toCompletableFuture().join();
        Reply.Error e = assertInstanceOf(Reply.Error.class, atOrigin);
        assertEquals(400, e.error().httpStatus());
        assertEquals("costquery.dstendp[4]", e.error().field());
        assertEquals("{urn:example:other}dstendp", e.error().value());
        assertSameReply(atOrigin, AnswerEngine.build(signed::get, AnswerEngine.none(), clock).answer(req));
    }

    @Test
    void anEndpointCostQueryOverThePairLimitIsRefusedAtOnceNamingTheLimitAtTheOriginAndAtAProxy() {
        StringBuilder srcs = new StringBuilder();
        StringBuilder dsts = new StringBuilder();
        for (int i = 0; i < 501; i++) {
            srcs.append(i == 0 ? "" : ",").append("\"ipv4:10.1.").append(i / 250).append('.').append(i % 250).append('"');
            dsts.append(i == 0 ? "" : ",").append("\"ipv4:130.132.").append(i / 250).append('.').append(i % 250).append('"');
        }
        AltoRequest req = request("POST", "/endpointcost", "application/alto-endpointcostparams+json",
                "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\"endpoints\":{\"srcs\":["
                        + srcs + "],\"dsts\":[" + dsts + "]}}");

        Reply atOrigin = origin.handle(req).toCompletableFuture().join();
        Reply.Error e = assertInstanceOf(Reply.Error.class, atOrigin);
        assertEquals(400, e.error().httpStatus());
        assertEquals("endpoints", e.error().field());
        assertTrue(e.error().message().contains("251001") && e.error().message().contains("250000"), e.error().message());
        assertSameReply(atOrigin, AnswerEngine.build(signed::get, AnswerEngine.none(), clock).answer(req));
    }

    /**
     * RFC 7285 §11.5.1.5: an endpoint cost service "MUST NOT specify the 'uses' field to indicate a
     * network or cost map"; the origin's entry named the default network map there. Without it a
     * proxy still knows the service is computed on the default network map and answers it.
     */
    @Test
    void theEndpointCostServiceNamesNoMapInUsesAndAProxyStillAnswersIt() throws IOException {
        com.fasterxml.jackson.databind.JsonNode directory = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(signed.get("/directory").identity().body().asUtf8());
        com.fasterxml.jackson.databind.JsonNode ecs = directory.path("resources").path("endpoint-cost");
        assertTrue(ecs.isObject(), directory::toString);
        assertFalse(ecs.has("uses"), ecs::toString);
        assertEquals("default-network-map", directory.path("meta").path("default-alto-network-map").asText());
        AnswerEngine held = AnswerEngine.build(signed::get, AnswerEngine.none(), clock);
        assertTrue(held.routes(endpointCost("routingcost")));
        assertInstanceOf(Reply.Ok.class, held.answer(endpointCost("routingcost")));
    }

    @Test
    void aComputedAnswerIsUnsignedAndNamesTheHeldSignedMaps() {
        Reply r = AnswerEngine.build(signed::get, AnswerEngine.none(), clock).answer(request("GET", "/cost/row?srcpid=PID1", null, ""));
        Representation rep = assertInstanceOf(Reply.Ok.class, r).representation();
        assertTrue(rep.identity().header("signature").isEmpty());
        String etag = signed.get("/cost/map?type=routingcost").identity().etag().replace("\"", "");
        assertEquals("\"routingcost-map\";path=\"/cost/map?type=routingcost\";etag=\"" + etag + '"',
                rep.identity().header("alto-derived-from").orElseThrow());
    }

    /**
     * RFC 7285 §11.5.1.4: the endpoint cost service's {@code cost-type-names} are the cost types
     * it answers. It is computed on the default network map alone, but its entry listed the cost
     * types of every network map's cost maps: a {@code latency} map on another network map was
     * offered there and every query for it refused.
     */
    @Test
    void theEndpointCostServiceOffersOnlyTheCostTypesItAnswers() throws IOException {
        publish(Map.of("other-network-map.json", NETWORK_MAP.replace("default-network-map", "other-network-map"),
                "latency-map.json", ROUTINGCOST.replace("default-network-map", "other-network-map")
                        .replace("routingcost", "latency")));
        com.fasterxml.jackson.databind.JsonNode ecs = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(signed.get("/directory").identity().body().asUtf8()).path("resources").path("endpoint-cost");
        List<String> offered = new ArrayList<>();
        ecs.path("capabilities").path("cost-type-names").forEach(n -> offered.add(n.asText()));
        assertEquals(List.of("num-hopcount", "num-routingcost", "ord-hopcount", "ord-routingcost"), offered);
        AltoRequest latency = endpointCost("latency");
        assertInstanceOf(Reply.Error.class, origin.handle(latency).toCompletableFuture().join(),
                "the other network map's cost types are not answered here");
        for (String metric : List.of("routingcost", "hopcount")) {
            assertInstanceOf(Reply.Ok.class, origin.handle(endpointCost(metric)).toCompletableFuture().join(), metric);
        }
    }

    @Test
    void aQueryNeedingAMapNotHeldIsLeftToTheCaller() {
        Map<String, Representation> some = new HashMap<>(signed);
        some.remove("/costmap/hopcount-map");
        AnswerEngine held = AnswerEngine.build(some::get, AnswerEngine.none(), clock);
        assertNull(held.answer(endpointCost("hopcount")));
        assertInstanceOf(Reply.Ok.class, held.answer(endpointCost("routingcost")));
        // the XML documents are the rendering of a map no longer held
        assertNull(held.answer(request("GET", "/cost/row?srcpid=PID1&type=hopcount", null, "")));
    }

    @Test
    void withoutTheDefaultNetworkMapOrTheDirectoryNothingIsAnswered() {
        Map<String, Representation> some = new HashMap<>(signed);
        some.remove("/networkmap/default-network-map");
        assertNull(AnswerEngine.build(some::get, AnswerEngine.none(), clock).answer(endpointCost("routingcost")));
        some = new HashMap<>(signed);
        some.remove("/directory");
        AnswerEngine held = AnswerEngine.build(some::get, AnswerEngine.none(), clock);
        assertTrue(!held.routes(endpointCost("routingcost")));
        assertNull(held.answer(endpointCost("routingcost")));
    }

    @Test
    void aStaticEndpointPropertyIsLeftToTheOriginWhichAloneHoldsIt() {
        AnswerEngine held = AnswerEngine.build(signed::get, AnswerEngine.none(), clock);
        assertNull(held.answer(request("POST", "/endpointprop", "application/alto-endpointpropparams+json",
                "{\"properties\":[\"access\"],\"endpoints\":[\"ipv4:128.36.1.10\"]}")));
    }

    @Test
    void aCostMapOfAnotherNetworkMapVersionIsNotCombinedWithTheHeldOne() throws IOException {
        Map<String, Representation> old = new HashMap<>(signed);
        publish(Map.of("default-network-map.json", NETWORK_MAP.replace("130.132.3.0/24", "130.132.4.0/24")));
        Map<String, Representation> mixed = new HashMap<>(old);
        mixed.put("/networkmap/default-network-map", signed.get("/networkmap/default-network-map"));
        mixed.put("/directory", signed.get("/directory"));
        AnswerEngine held = AnswerEngine.build(mixed::get, AnswerEngine.none(), clock);
        assertNull(held.answer(endpointCost("routingcost")), "the held cost map depends on the previous network map");
        assertNotNull(held.answer(request("POST", "/networkmap/default-network-map/filtered",
                "application/alto-networkmapfilter+json", "{\"pids\":[\"PID3\"]}")));
    }

    @Test
    void ofTwoMapsThatDoNotFitTheOneSignedFirstIsBehind() throws IOException {
        Map<String, Representation> old = new HashMap<>(signed);
        assertEquals(Set.of(), AnswerEngine.build(old::get, AnswerEngine.none(), clock).behind(), "one version fits");
        clock.advance(Duration.ofSeconds(2));
        publish(Map.of("default-network-map.json", NETWORK_MAP.replace("130.132.3.0/24", "130.132.4.0/24")));
        Map<String, Representation> newNetworkMap = new HashMap<>(old);
        newNetworkMap.put("/directory", signed.get("/directory"));
        newNetworkMap.put("/networkmap/default-network-map", signed.get("/networkmap/default-network-map"));
        assertEquals(Set.of("/costmap/routingcost-map", "/costmap/hopcount-map"),
                AnswerEngine.build(newNetworkMap::get, AnswerEngine.none(), clock).behind());
        Map<String, Representation> newCostMaps = new HashMap<>(signed);
        newCostMaps.put("/networkmap/default-network-map", old.get("/networkmap/default-network-map"));
        assertEquals(Set.of("/networkmap/default-network-map"),
                AnswerEngine.build(newCostMaps::get, AnswerEngine.none(), clock).behind());
        assertEquals(Set.of(), AnswerEngine.build(signed::get, AnswerEngine.none(), clock).behind());
    }

    @Test
    void answersStopWhenASourceExpires() {
        AnswerEngine held = AnswerEngine.build(signed::get, AnswerEngine.none(), clock);
        AltoRequest row = request("GET", "/cost/row?srcpid=PID1", null, "");
        assertNotNull(held.answer(row));
        assertNotNull(held.cached(row));
        clock.advance(Duration.ofHours(2));
        assertNull(held.cached(row));
        assertNull(held.answer(row));
        assertNull(held.answer(endpointCost("routingcost")));
    }

    @Test
    void anUnchangedDocumentIsNotParsedAgain() {
        AtomicInteger reads = new AtomicInteger();
        AnswerEngine first = AnswerEngine.build(signed::get, AnswerEngine.none(), clock);
        AnswerEngine second = AnswerEngine.build(t -> {
            reads.incrementAndGet();
            return signed.get(t);
        }, first, clock);
        assertTrue(reads.get() > 0);
        assertSame(first.maps().networkMaps().get("default-network-map"), second.maps().networkMaps().get("default-network-map"));
        assertEquals(signed.keySet().stream().filter(t -> !t.equals("/directory") && !t.equals("/capability")
                && !t.equals("/cost/map")).sorted().toList(), second.sources().stream().sorted().toList());
    }

    @Test
    void aSignedDocumentTargetIsNotAQuery() {
        AnswerEngine held = AnswerEngine.build(signed::get, AnswerEngine.none(), clock);
        assertTrue(!held.routes(request("GET", "/cost/map?type=hopcount", null, "")));
        assertTrue(!held.routes(request("GET", "/prop/pid", null, "")));
        assertTrue(!held.routes(request("GET", "/endpointcost", null, "")));
        assertTrue(held.routes(request("HEAD", "/prop/pid?pid=PID1", null, "")));
    }

    @ParameterizedTest
    @CsvSource({
            "POST, /endpointcost, true",
            "POST, /anything, true",
            "GET, /cost/row?srcpid=PID1, true",
            "HEAD, /prop/pid?pid=PID1, true",
            "GET, /prop/pid/lookup?endpoint=ipv4:1.2.3.4, true",
            "GET, /prop/pid, false",
            "GET, /cost/map?type=hopcount, false",
            "GET, /networkmap/default-network-map, false",
    })
    void aQueryIsAPostOrASeedQueryGet(String method, String target, boolean query) {
        assertEquals(query, AnswerEngine.isQuery(request(method, target, null, "")));
    }

    private AltoRequest endpointCost(String metric) {
        return request("POST", "/endpointcost", "application/alto-endpointcostparams+json",
                "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"" + metric
                        + "\"},\"endpoints\":{\"srcs\":[\"ipv4:128.36.1.9\"],\"dsts\":[\"ipv4:10.1.1.1\"]}}");
    }

    static void assertSameReply(Reply expected, Reply actual) {
        assertEquals(expected.getClass(), actual.getClass(), () -> expected + " / " + actual);
        if (expected instanceof Reply.Ok e) {
            Representation a = ((Reply.Ok) actual).representation();
            assertEquals(e.representation().identity().body(), a.identity().body(),
                    () -> a.identity().body().asUtf8());
            assertEquals(e.representation().identity().headers(), a.identity().headers());
            assertEquals(e.representation().maxAgeSeconds(), a.maxAgeSeconds());
            assertEquals(e.representation().expires(), a.expires());
        } else {
            assertEquals(expected, actual);
        }
    }

    static AltoRequest request(String method, String target, String contentType, String body) {
        int q = target.indexOf('?');
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.computeIfAbsent(decode(pair.substring(0, eq)), k -> new ArrayList<>()).add(decode(pair.substring(eq + 1)));
            }
        }
        return new AltoRequest(method, q < 0 ? target : target.substring(0, q), query, target, contentType, null,
                body == null ? Bytes.empty() : Bytes.utf8(body));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
