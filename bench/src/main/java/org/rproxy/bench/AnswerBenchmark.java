package org.rproxy.bench;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;

/**
 * What one computed answer costs a proxy answering locally, from parsed holdings to the bytes of
 * the answer: a cost map filtered to one source and ten destinations, an ordinal endpoint-cost
 * query (a ranking of 20 peers), the PIDs of five endpoints, a network map filtered to ten PIDs, and the whole map through the
 * filtered service (empty PID lists: every cost, some 5 MB of JSON). The seed's XML ranking needs
 * the XML renderings held as well, and is in {@code compare.sh}'s mix instead. The holdings are a
 * synthetic topology of {@code pids} PoPs (one /24 each and a default PID), read by the same
 * {@link AnswerEngine} a pull proxy uses; each call answers the next query of a fixed rotation of
 * 64, so no answer is cached by the engine's caller. Run with {@code java -jar
 * bench/target/benchmarks.jar AnswerBenchmark} (add {@code -prof gc} for the bytes allocated per
 * answer, {@code gc.alloc.rate.norm}); answers/s per thread is answers per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AnswerBenchmark {
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    private static final int ROTATION = 64;

    @Param({"560"})
    public int pids;

    private AnswerEngine engine;
    private AltoRequest[] filtered;
    private AltoRequest[] endpointCosts;
    private AltoRequest[] properties;
    private AltoRequest[] networkMaps;
    private AltoRequest wholeMap;
    private int next;

    @Setup
    public void setUp() {
        Map<String, Representation> held = new HashMap<>();
        held.put("/directory", doc(directory(), "application/alto-directory+json"));
        held.put("/networkmap/default-network-map", doc(networkMap(), "application/alto-networkmap+json"));
        held.put("/costmap/routingcost-map", doc(costMap(), "application/alto-costmap+json"));
        engine = AnswerEngine.build(held::get, AnswerEngine.none(), Clock.fixed(NOW, ZoneOffset.UTC));
        SplittableRandom random = new SplittableRandom(1);
        filtered = new AltoRequest[ROTATION];
        endpointCosts = new AltoRequest[ROTATION];
        properties = new AltoRequest[ROTATION];
        networkMaps = new AltoRequest[ROTATION];
        for (int i = 0; i < ROTATION; i++) {
            filtered[i] = post("/costmap/default-network-map/filtered", "application/alto-costmapfilter+json",
                    "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":["
                            + pid(random) + "],\"dsts\":[" + list(random, 10, true) + "]}}");
            endpointCosts[i] = post("/endpointcost", "application/alto-endpointcostparams+json",
                    "{\"cost-type\":{\"cost-mode\":\"ordinal\",\"cost-metric\":\"routingcost\"},\"endpoints\":{\"srcs\":["
                            + list(random, 1, false) + "],\"dsts\":[" + list(random, 20, false) + "]}}");
            properties[i] = post("/endpointprop", "application/alto-endpointpropparams+json",
                    "{\"properties\":[\"default-network-map.pid\"],\"endpoints\":[" + list(random, 5, false) + "]}");
            networkMaps[i] = post("/networkmap/default-network-map/filtered", "application/alto-networkmapfilter+json",
                    "{\"pids\":[" + list(random, 10, true) + "],\"address-types\":[\"ipv4\"]}");
        }
        wholeMap = post("/costmap/default-network-map/filtered", "application/alto-costmapfilter+json",
                "{\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":[],\"dsts\":[]}}");
        for (AltoRequest[] kind : List.of(filtered, endpointCosts, properties, networkMaps, new AltoRequest[] {wholeMap})) {
            Reply r = engine.answer(kind[0]);
            if (!(r instanceof Reply.Ok)) {
                throw new IllegalStateException(kind[0].path() + " answered " + r);
            }
        }
    }

    @Benchmark
    public Reply filteredCostMap() {
        return engine.answer(filtered[next++ & (ROTATION - 1)]);
    }

    @Benchmark
    public Reply endpointCostRanking() {
        return engine.answer(endpointCosts[next++ & (ROTATION - 1)]);
    }

    @Benchmark
    public Reply endpointProperties() {
        return engine.answer(properties[next++ & (ROTATION - 1)]);
    }

    @Benchmark
    public Reply filteredNetworkMap() {
        return engine.answer(networkMaps[next++ & (ROTATION - 1)]);
    }

    /** The whole map through the filtered service (empty lists: every PID), some 5 MB of JSON. */
    @Benchmark
    public Reply wholeFilteredCostMap() {
        return engine.answer(wholeMap);
    }

    private static AltoRequest post(String path, String contentType, String body) {
        return new AltoRequest("POST", path, Map.of(), path, contentType, null, Bytes.utf8(body));
    }

    private String pid(SplittableRandom random) {
        return "\"" + pidName(random.nextInt(pids)) + "\"";
    }

    private String list(SplittableRandom random, int n, boolean asPids) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < n; k++) {
            b.append(k == 0 ? "" : ",").append(asPids ? pid(random) : "\"ipv4:" + address(random) + "\"");
        }
        return b.toString();
    }

    private String address(SplittableRandom random) {
        int p = random.nextInt(pids);
        return "10." + (p / 256) + "." + (p % 256) + "." + (1 + random.nextInt(254));
    }

    private static String pidName(int p) {
        return String.format("pop-%04d", p);
    }

    private static Representation doc(String json, String mediaType) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        Variant v = new Variant(Bytes.wrap(body), null, List.of(new HeaderField("content-type", mediaType),
                new HeaderField("etag", "\"" + Integer.toHexString(json.hashCode()) + "\"")));
        return new Representation(v, null, 60, NOW.minusSeconds(10), NOW.plusSeconds(3600));
    }

    private static String directory() {
        return "{\"meta\":{\"cost-types\":{\"num-routingcost\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"},"
                + "\"ord-routingcost\":{\"cost-mode\":\"ordinal\",\"cost-metric\":\"routingcost\"}},"
                + "\"default-alto-network-map\":\"default-network-map\"},\"resources\":{"
                + "\"default-network-map\":{\"media-type\":\"application/alto-networkmap+json\","
                + "\"uri\":\"/networkmap/default-network-map\"},"
                + "\"default-network-map-filtered-cost-map\":{\"accepts\":\"application/alto-costmapfilter+json\","
                + "\"capabilities\":{\"cost-constraints\":true,\"cost-type-names\":[\"num-routingcost\",\"ord-routingcost\"]},"
                + "\"media-type\":\"application/alto-costmap+json\",\"uri\":\"/costmap/default-network-map/filtered\","
                + "\"uses\":[\"default-network-map\"]},"
                + "\"default-network-map-filtered\":{\"accepts\":\"application/alto-networkmapfilter+json\","
                + "\"media-type\":\"application/alto-networkmap+json\",\"uri\":\"/networkmap/default-network-map/filtered\","
                + "\"uses\":[\"default-network-map\"]},"
                + "\"endpoint-cost\":{\"accepts\":\"application/alto-endpointcostparams+json\","
                + "\"capabilities\":{\"cost-constraints\":true,\"cost-type-names\":[\"num-routingcost\",\"ord-routingcost\"]},"
                + "\"media-type\":\"application/alto-endpointcost+json\",\"uri\":\"/endpointcost\","
                + "\"uses\":[\"default-network-map\"]},"
                + "\"endpoint-property\":{\"accepts\":\"application/alto-endpointpropparams+json\","
                + "\"capabilities\":{\"prop-types\":[\"default-network-map.pid\"]},"
                + "\"media-type\":\"application/alto-endpointprop+json\",\"uri\":\"/endpointprop\","
                + "\"uses\":[\"default-network-map\"]},"
                + "\"routingcost-map\":{\"capabilities\":{\"cost-type-names\":[\"num-routingcost\"]},"
                + "\"media-type\":\"application/alto-costmap+json\",\"uri\":\"/costmap/routingcost-map\","
                + "\"uses\":[\"default-network-map\"]}}}";
    }

    private String networkMap() {
        StringBuilder b = new StringBuilder("{\"meta\":{\"vtag\":{\"resource-id\":\"default-network-map\",\"tag\":\"v1\"}},"
                + "\"network-map\":{\"default\":{\"ipv4\":[\"0.0.0.0/0\"]}");
        for (int p = 0; p < pids; p++) {
            b.append(",\"").append(pidName(p)).append("\":{\"ipv4\":[\"10.").append(p / 256).append('.').append(p % 256)
                    .append(".0/24\"]}");
        }
        return b.append("}}").toString();
    }

    private String costMap() {
        SplittableRandom random = new SplittableRandom(2);
        StringBuilder b = new StringBuilder(pids * pids * 16).append("{\"meta\":{\"dependent-vtags\":[{\"resource-id\":"
                + "\"default-network-map\",\"tag\":\"v1\"}],\"cost-type\":{\"cost-mode\":\"numerical\","
                + "\"cost-metric\":\"routingcost\"},\"vtag\":{\"resource-id\":\"routingcost-map\",\"tag\":\"c1\"}},"
                + "\"cost-map\":{");
        for (int s = 0; s < pids; s++) {
            b.append(s == 0 ? "\"" : ",\"").append(pidName(s)).append("\":{");
            for (int d = 0; d < pids; d++) {
                b.append(d == 0 ? "\"" : ",\"").append(pidName(d)).append("\":").append(s == d ? 0 : 1 + random.nextInt(2000));
            }
            b.append('}');
        }
        return b.append("}}").toString();
    }
}
