package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;

/**
 * A cost map's version tag names one version of the document served (RFC 7285 §10.3). When its
 * file leaves the dependent tag to the origin, an edit of the network map alone changes the
 * cost map served (its {@code dependent-vtags}), so it must change the cost map's tag too:
 * update-stream subscribers resume by that tag, and one told it holds the current version is
 * sent nothing.
 */
class CostMapVersionTagTest {
    private static final String NET = "{\"network-map\":{\"PID1\":{\"ipv4\":[\"10.0.0.0/8\"]},"
            + "\"PID2\":{\"ipv4\":[\"0.0.0.0/0\"]}}}";
    private static final String COSTS = "{\"meta\":{%s\"dependent-vtags\":[{\"resource-id\":\"net\"%s}],"
            + "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}},"
            + "\"cost-map\":{\"PID1\":{\"PID2\":5}}}";
    private static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());

    @TempDir
    Path dir;

    @Test
    void anEditOfTheNetworkMapAloneGivesTheCostMapItFillsANewTag() throws Exception {
        Files.writeString(dir.resolve("net.json"), NET);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, "", ""));
        JsonNode before = servedCostMap(MapsFolder.load(dir));
        assertEquals(before.path("meta").path("vtag").path("tag").asText(),
                servedCostMap(MapsFolder.load(dir)).path("meta").path("vtag").path("tag").asText(),
                "the same folder, the same tag");

        Files.writeString(dir.resolve("net.json"), NET.replace("10.0.0.0/8", "11.0.0.0/8"));
        MapSet edited = MapsFolder.load(dir);
        JsonNode after = servedCostMap(edited);

        String netTag = edited.networkMaps().get("net").vtag().tag();
        assertEquals(netTag, after.path("meta").path("dependent-vtags").path(0).path("tag").asText(),
                "the cost map names the network map now served");
        assertNotEquals(before.path("meta").path("dependent-vtags"), after.path("meta").path("dependent-vtags"));
        assertNotEquals(before.path("meta").path("vtag").path("tag").asText(),
                after.path("meta").path("vtag").path("tag").asText(),
                "another version of the cost map is served, so under another tag");
        assertEquals(edited.costMaps().get("costs").vtag().tag(), after.path("meta").path("vtag").path("tag").asText());
    }

    @Test
    void aFileGivingItsOwnTagAndLeavingTheDependentOneToTheOriginIsRefused() throws Exception {
        Files.writeString(dir.resolve("net.json"), NET);
        Files.writeString(dir.resolve("costs.json"), String.format(COSTS, "\"vtag\":{\"tag\":\"c1\"},", ""));
        MapsFolder.MapsFolderException e = assertThrows(MapsFolder.MapsFolderException.class, () -> MapsFolder.load(dir));
        assertEquals(List.of(dir.resolve("costs.json") + ": meta/vtag/tag: given, but meta/dependent-vtags[0]/tag is"
                + " left for the origin to fill in from net, so an edit of that network map alone would change this"
                + " cost map under the same tag; leave out meta/vtag/tag, or give meta/dependent-vtags[0]/tag too and"
                + " change both together"), e.problems());
    }

    @Test
    void tagsTheFileGivesAreServedAsTheyAre() throws Exception {
        Files.writeString(dir.resolve("net.json"), NET.replace("{\"network-map\"",
                "{\"meta\":{\"vtag\":{\"resource-id\":\"net\",\"tag\":\"n1\"}},\"network-map\""));
        Files.writeString(dir.resolve("costs.json"),
                String.format(COSTS, "\"vtag\":{\"tag\":\"c1\"},", ",\"tag\":\"n1\""));
        JsonNode served = servedCostMap(MapsFolder.load(dir));
        assertEquals("c1", served.path("meta").path("vtag").path("tag").asText());
        assertEquals("n1", served.path("meta").path("dependent-vtags").path(0).path("tag").asText());
    }

    @Test
    void aFileGivingTheDependentTagKeepsTheTagOfItsBytes() throws Exception {
        // the file alone makes the document served: its tag is the hash of its bytes, as before
        Files.writeString(dir.resolve("net.json"), NET.replace("{\"network-map\"",
                "{\"meta\":{\"vtag\":{\"resource-id\":\"net\",\"tag\":\"n1\"}},\"network-map\""));
        Path costs = dir.resolve("costs.json");
        Files.writeString(costs, String.format(COSTS, "", ",\"tag\":\"n1\""));
        String tag = MapsFolder.load(dir).costMaps().get("costs").vtag().tag();
        assertEquals(MapsFile.read(costs, MapsFolder.DEFAULT_MAX_FILE_BYTES).bytesTag(), tag);
    }

    /** The cost map as the origin renders it to be signed. */
    private static JsonNode servedCostMap(MapSet maps) {
        Catalog catalog = new Catalog(maps, List.of(KEY.publicKey().jwk()), List.of(), "test", "http://127.0.0.1:1",
                new XmlCodec());
        return AltoJson.parse(catalog.documents().get(Catalog.costMapPath("costs")).identity().unsafeArray());
    }
}
