package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.pull.PullProxy;

/**
 * What an ordinary RFC 7285 client reads, checked over real sockets at a file origin and at a
 * pull proxy in front of it: the shape of each answer where the RFC gives it, and the member an
 * error names as at fault (§8.5.2).
 */
class Rfc7285ConformanceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EP = "application/alto-endpointpropparams+json";

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static PullProxy proxy;

    /** A metric the origin publishes as an ordinal cost map only: asked numerical, the mode is at fault. */
    static final String ORDINAL_ONLY = """
            {"meta":{"dependent-vtags":[{"resource-id":"default-network-map"}],
             "cost-type":{"cost-mode":"ordinal","cost-metric":"priv:preference"}},
             "cost-map":{"PID1":{"PID2":1,"PID3":2},"PID2":{"PID1":1,"PID3":2},"PID3":{"PID1":1,"PID2":2}}}""";

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start(dir, "preference-map.json", ORDINAL_ONLY);
        proxy = Proxies.start("rfc-proxy", origin.base(), origin.publicKey, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    static List<String> nodes() {
        return List.of(origin.base(), proxy.baseUri());
    }

    /**
     * §11.4.1.6: the answer has "one member for each endpoint indicated in the input parameters";
     * a property with no value for an endpoint is left out of that endpoint's object only. The
     * sample maps give {@code access} to 128.36.1.10 and not to 8.8.8.8, which a client still
     * finds under its key, with no properties.
     */
    @Test
    void anEndpointPropertyAnswerHasAMemberForEveryEndpointAsked() throws Exception {
        for (String node : nodes()) {
            HttpResponse<byte[]> resp = post(node, "/endpointprop", EP,
                    "{\"properties\":[\"access\"],\"endpoints\":[\"ipv4:8.8.8.8\",\"ipv4:128.36.1.10\"]}");
            String text = new String(resp.body(), StandardCharsets.UTF_8);
            assertEquals(200, resp.statusCode(), node + ": " + text);
            JsonNode props = JSON.readTree(resp.body()).path("endpoint-properties");
            assertEquals(JSON.readTree("{\"ipv4:8.8.8.8\":{},\"ipv4:128.36.1.10\":{\"access\":\"adsl-512k-2m\"}}"), props,
                    node + ": " + text);
        }
    }

    /**
     * §8.5.2: "If the invalid value is a subfield, the server must set the field key to the full
     * path of the field name and value to the invalid subfield value". A cost type no map answers
     * is refused naming the metric when none has it, the mode when the metric is published in the
     * other mode only, in either JSON service and in the seed's ranking (its own names: {@code
     * type}, {@code mode}); not the cost type as a whole with a value the client never sent.
     */
    @ParameterizedTest(name = "{0} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /costmap/default-network-map/filtered | application/alto-costmapfilter+json | {"cost-type":{"cost-mode":"numerical","cost-metric":"airmiles"}} | cost-type/cost-metric | airmiles
            /costmap/default-network-map/filtered | application/alto-costmapfilter+json | {"cost-type":{"cost-mode":"numerical","cost-metric":"priv:preference"}} | cost-type/cost-mode | numerical
            /endpointcost | application/alto-endpointcostparams+json | {"cost-type":{"cost-mode":"ordinal","cost-metric":"airmiles"},"endpoints":{"srcs":["ipv4:128.36.1.10"],"dsts":["ipv4:130.132.3.7"]}} | cost-type/cost-metric | airmiles
            /endpointcost | application/alto-endpointcostparams+json | {"cost-type":{"cost-mode":"numerical","cost-metric":"priv:preference"},"endpoints":{"srcs":["ipv4:128.36.1.10"],"dsts":["ipv4:130.132.3.7"]}} | cost-type/cost-mode | numerical
            /cost/m?mode=numerical | application/xml | <alto xmlns="urn:ietf:params:xml:ns:p2p:alto"><costquery type="priv:preference"><srcendp name="ipv4:128.36.1.10"/><dstendp name="ipv4:130.132.3.7"/></costquery></alto> | mode | numerical
            """)
    void aCostTypeNoMapAnswersIsRefusedNamingTheMemberAtFault(String path, String type, String body, String field,
                                                              String value) throws Exception {
        for (String node : nodes()) {
            HttpResponse<byte[]> resp = post(node, path, type, body);
            String text = new String(resp.body(), StandardCharsets.UTF_8);
            assertEquals(400, resp.statusCode(), node + ": " + text);
            if (type.endsWith("+json")) {
                JsonNode meta = JSON.readTree(resp.body()).path("meta");
                assertEquals("E_INVALID_FIELD_VALUE", meta.path("code").asText(), node + ": " + text);
                assertEquals(field, meta.path("field").asText(), node + ": " + text);
                assertEquals(value, meta.path("value").asText(), node + ": " + text);
            } else {
                assertTrue(text.contains("field=\"" + field + "\" value=\"" + value + "\""), node + ": " + text);
            }
        }
    }

    /**
     * §8.5.2: for {@code E_SYNTAX} the server MAY give {@code meta/syntax-error}, "technical
     * debugging information" with the position, which is where a client that shows developers
     * what went wrong looks for it. The message gives it too, for a client that reads that.
     */
    @Test
    void aSyntaxErrorSaysWhereInSyntaxError() throws Exception {
        for (String node : nodes()) {
            HttpResponse<byte[]> resp = post(node, "/networkmap/default-network-map/filtered",
                    "application/alto-networkmapfilter+json", "{\"pids\":[\"PID1\",]}");
            String text = new String(resp.body(), StandardCharsets.UTF_8);
            assertEquals(400, resp.statusCode(), node + ": " + text);
            JsonNode meta = JSON.readTree(resp.body()).path("meta");
            assertEquals("E_SYNTAX", meta.path("code").asText(), node + ": " + text);
            assertTrue(meta.path("syntax-error").asText().contains("line 1, column 17"), node + ": " + text);
            assertEquals(meta.path("message").asText(), meta.path("syntax-error").asText(), node + ": " + text);
        }
    }

    /**
     * The origin publishes every cost metric in its directory's {@code cost-types} and every
     * static property name in {@code prop-types}, where a client holding RFC 7285's grammars
     * would refuse the directory for one bad name: a metric with {@code @} or nothing after
     * {@code priv:} (§10.6), a property name with a {@code .} (§10.8.2). An origin given such a
     * maps folder does not start, and says which file, which field and why.
     */
    @Test
    void anOriginRefusesToStartWithANameItCouldNotPublish() throws Exception {
        String costs = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"priv:\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":1}}}";
        String props = "{\"endpoint-properties\":{\"ipv4:128.36.1.10\":{\"default-network-map.pid\":\"PID2\"}}}";
        for (String[] bad : List.of(new String[] {"private-map.json", costs, "meta/cost-type/cost-metric"},
                new String[] {"endpoint-properties.json", props, "endpoint-properties/ipv4:128.36.1.10"})) {
            Path own = Files.createDirectories(dir.resolve("refused-" + bad[0]));
            TestOrigin started;
            try {
                started = TestOrigin.start(own, bad[0], bad[1]);
            } catch (Exception e) {
                String message = String.valueOf(e.getMessage());
                assertTrue(message.contains(bad[0] + ": " + bad[2] + ": "), message);
                continue;
            }
            try (TestOrigin running = started) {
                fail("an origin with " + bad[0] + " started, serving " + running.base());
            }
        }
    }

    private static HttpResponse<byte[]> post(String node, String path, String type, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(node + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<byte[]> resp = Proxies.HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(resp.headers().firstValue("content-type").isPresent(), node + path + ": no content type");
        return resp;
    }
}
