package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A maps folder is refused with every problem at once: one per file that fails, and the folder's own. */
class MapsFolderProblemsTest {
    private static final String MAP = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]},\"PID2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";

    @Test
    void eachBadFileIsNamedWithItsFieldAndReason(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Files.writeString(dir.resolve("bad-net.json"), MAP.replace("10.0.0.0/8", "10.0.0.0/33"));
        Files.writeString(dir.resolve("costs.json"), "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"nosuch\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":1}}}");
        Files.writeString(dir.resolve("notes.json"), "{\"hello\": 1}");

        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        List<String> problems = e.problems();
        assertEquals(3, problems.size(), e.getMessage());
        assertEquals(dir.resolve("bad-net.json") + ": network-map/PID1/ipv4[0]: prefix length 33 (expected: 0-32)",
                problems.get(0));
        assertEquals(dir.resolve("notes.json") + ": not an ALTO document (expected a top-level network-map, cost-map or"
                + " endpoint-properties member)", problems.get(1));
        assertEquals(dir.resolve("costs.json") + ": meta/dependent-vtags[0]/resource-id: no network map named 'nosuch'"
                + " in the folder (have: [net])", problems.get(2));
        assertEquals(String.join("\n", problems), e.getMessage());
    }

    /**
     * Names the origin would publish in its directory (cost-types, prop-types) follow RFC 7285's
     * grammars: a cost metric has no {@code @} (§10.6), a global endpoint property name no
     * {@code .} (§10.8.2, where {@code default-network-map.pid} would read as the map's own PID
     * property), and a private name more than {@code priv:}.
     */
    @Test
    void namesTheRfcForbidsAreRefusedWithFileFieldAndReason(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("default-network-map.json"), MAP);
        String costs = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"METRIC\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":1}}}";
        Files.writeString(dir.resolve("a-at.json"), costs.replace("METRIC", "hop@count"));
        Files.writeString(dir.resolve("b-priv.json"), costs.replace("METRIC", "priv:"));
        Files.writeString(dir.resolve("c-props.json"),
                "{\"endpoint-properties\":{\"ipv4:10.0.0.1\":{\"default-network-map.pid\":\"PID2\"}}}");
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        String metricRule = "cost metric must be 1-32 characters of [A-Za-z0-9-:_.], and a private one more than \"priv:\"";
        assertEquals(List.of(
                dir.resolve("c-props.json") + ": endpoint-properties/ipv4:10.0.0.1: endpoint property name must be 1-32"
                        + " characters of [A-Za-z0-9-:_], and a private one more than \"priv:\"",
                dir.resolve("a-at.json") + ": meta/cost-type/cost-metric: " + metricRule,
                dir.resolve("b-priv.json") + ": meta/cost-type/cost-metric: " + metricRule), e.problems());
    }

    @Test
    void aSecondCostMapOfOneCostTypeAndASecondPropertiesFileAreRefusedByName(@TempDir Path dir) throws Exception {
        // the origin's query code refuses such a set: accepted here, a change to it stopped every
        // later re-signing, and the signatures ran out
        Files.writeString(dir.resolve("default-network-map.json"), MAP);
        String costs = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":1}}}";
        Files.writeString(dir.resolve("routingcost.json"), costs);
        Files.writeString(dir.resolve("zz-routing.json"), costs);
        Files.writeString(dir.resolve("hopcount.json"), costs.replace("routingcost\"}", "hopcount\"}"));
        String props = "{\"endpoint-properties\":{\"ipv4:10.0.0.1\":{\"access\":\"dsl\"}}}";
        Files.writeString(dir.resolve("props-a.json"), props);
        Files.writeString(dir.resolve("props-b.json"), props);
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertEquals(List.of(dir.resolve("zz-routing.json") + ": a second cost map of cost type routingcost/numerical on"
                        + " network map default-network-map (routingcost.json is one; expected: one cost map per cost type"
                        + " and network map)",
                dir + ": several endpoint-properties files [props-a.json, props-b.json] (expected: at most one; put the"
                        + " properties of every endpoint in one file)"), e.problems());
    }

    @Test
    void aResourceIdTheDirectoryGivesItsOwnEntryIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("default-network-map.json"), MAP);
        String costs = "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"default-network-map\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"METRIC\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":1}}}";
        Files.writeString(dir.resolve("endpoint-cost.json"), costs.replace("METRIC", "routingcost"));
        Files.writeString(dir.resolve("default-network-map-filtered.json"), costs.replace("METRIC", "hopcount"));
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertEquals(List.of(
                dir.resolve("default-network-map-filtered.json") + ": resource id 'default-network-map-filtered' is the"
                        + " directory's name for the filtered network map of default-network-map (expected: another file"
                        + " name, or another meta/vtag/resource-id)",
                dir.resolve("endpoint-cost.json") + ": resource id 'endpoint-cost' is the directory's name for the"
                        + " endpoint cost service (expected: another file name, or another meta/vtag/resource-id)"),
                e.problems());
    }

    @Test
    void folderWideProblemsComeAfterTheFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), "{\"hello\": 1}");
        Files.writeString(dir.resolve("a.json"), MAP);
        Files.writeString(dir.resolve("b.json"), MAP);
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith(dir.resolve("net.json") + ": "), e.getMessage());
        assertEquals(dir + ": several network maps [a, b] and none is named default-network-map; name the default one so",
                e.problems().get(1));
    }

    @Test
    void whatOnlyFollowsFromARefusedNetworkMapIsLeftOut(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP.replace("10.0.0.0/8", "10.0.0.0/33"));
        Files.writeString(dir.resolve("costs.json"), "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"net\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID9\":1}}}");
        Files.writeString(dir.resolve("other-costs.json"), "{\"meta\":{\"dependent-vtags\":[{\"resource-id\":\"broken\"}],"
                + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"hopcount\"}},"
                + "\"cost-map\":{\"PID1\":{\"PID2\":1}}}");
        Files.writeString(dir.resolve("broken.json"), "{\"network-map\": ");
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith(dir.resolve("broken.json") + ": "), e.getMessage());
        assertEquals(dir.resolve("net.json") + ": network-map/PID1/ipv4[0]: prefix length 33 (expected: 0-32)",
                e.problems().get(1));
    }

    @Test
    void aMapsFileThatCannotEvenBeStampedIsNamedNotTheFolder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("net.json"), MAP);
        Path loop = Files.createSymbolicLink(dir.resolve("loop.json"), Path.of("loop.json")); // a link to itself
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().startsWith(loop + ": cannot read: "), e.getMessage());
    }

    @Test
    void oneProblemIsReportedAsBefore(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.json"), "{\"hello\": 1}");
        Files.writeString(dir.resolve("net.json"), MAP);
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertEquals(List.of(e.getMessage()), e.problems());
    }
}
