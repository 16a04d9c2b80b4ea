package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.pull.PullProxy;

/**
 * "Is my edge fresh?", answered from /metrics alone: the origin and a pull proxy below it both
 * show the signing time of the version of each document they serve
 * ({@code rproxy_resource_created_time_seconds{target}}). Equal while the proxy holds the origin's
 * version; after a change of the maps the origin's row moves at once and the proxy's follows when
 * its revalidation of the map, which a client asks for, brings the new version.
 */
class EdgeFreshnessMetricsIT {
    private static final String COST_MAP = "/costmap/routingcost-map";

    @TempDir
    Path dir;

    @Test
    void theOriginAndAProxyShowTheCreatedTimeOfTheVersionTheyServe() throws Exception {
        Path maps = TestPaths.copySampleMaps(dir.resolve("maps"));
        SigningKey k = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path key = PrivateKeyFiles.write(dir.resolve("origin.key"), k.toPkcs8Pem());
        Path pub = Files.writeString(dir.resolve("origin.pub"), k.publicKey().toSpkiPem());
        try (Origin origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key,
                Duration.ofHours(1), Duration.ofSeconds(2), List.of(), "fresh-origin", null));
                PullProxy proxy = Proxies.start("edge", origin.baseUri(), pub, Clock.systemUTC())) {
            String atOrigin = "http://127.0.0.1:" + origin.startAdmin(new Address("127.0.0.1", 0)).getPort() + "/metrics";
            String atEdge = "http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics";
            assertEquals(200, Proxies.get(proxy.baseUri() + COST_MAP).statusCode());
            double first = created(atOrigin, COST_MAP);
            assertTrue(first > 0, "the origin shows the version it serves");
            assertTrue(Proxies.await(() -> created(atEdge, COST_MAP) == first, 30),
                    () -> "the edge shows the same version: origin " + first + ", edge " + created(atEdge, COST_MAP));

            Path costs = maps.resolve("routingcost-map.json");
            Files.writeString(costs, Files.readString(costs).replace("\"PID2\": 5,", "\"PID2\": 7,"));
            assertTrue(Proxies.await(() -> created(atOrigin, COST_MAP) > first, 30), "the origin published the change");
            double next = created(atOrigin, COST_MAP);
            // a client asks for the map meanwhile: a pull proxy revalidates the copies asked for
            // since their last fetch, and keeps the others (and their rows) until they are asked for
            assertTrue(Proxies.await(() -> askedFor(proxy) && created(atEdge, COST_MAP) == next, 60),
                    "the edge caught up: origin " + next + ", edge " + created(atEdge, COST_MAP));
        }
    }

    /** Asks {@code proxy} for the cost map, as a client of it would; true when it answered 200. */
    private static boolean askedFor(PullProxy proxy) {
        try {
            return Proxies.get(proxy.baseUri() + COST_MAP).statusCode() == 200;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The row of {@code target} on the /metrics page at {@code url}, or -1 when it has none. */
    private static double created(String url, String target) {
        try {
            String page = new String(Proxies.get(url).body(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?m)^rproxy_resource_created_time_seconds\\{target=\""
                    + Pattern.quote(target) + "\"} (\\S+)$").matcher(page);
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
