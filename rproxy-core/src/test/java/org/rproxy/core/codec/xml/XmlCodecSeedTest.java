package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/** The XML examples of the seed (draft-penno-alto-protocol-03, IETF 75), read and written. */
class XmlCodecSeedTest {
    private static final VersionTag NET = new VersionTag("my-default-network-map", "seed-1");
    private static final VersionTag COST = new VersionTag("my-default-cost-map", "seed-1");

    private final XmlCodec codec = new XmlCodec();

    @Test
    void seedCapabilityParsesToItsCostTypesWithoutExtension() {
        Capability c = codec.parseCapability(SeedDocs.load("capability.xml"));

        assertEquals(new Capability("alto.isp.net", "http://alto.isp.net:80",
                List.of(new Capability.Cost("latency", "ms", null), new Capability.Cost("pDistance", "scalar", null)),
                false, List.of(), List.of()), c);
    }

    @Test
    void seedNetworkMapParsesToThreePids() {
        NetworkMap map = codec.parseNetworkMap(SeedDocs.load("pids.xml"), NET);

        assertEquals(seedNetworkMap(), map);
        assertEquals("PID1", map.pidOf(IpAddress.parseTyped("ipv4:128.36.1.9", "t")).orElseThrow());
        assertEquals("PID3", map.pidOf(IpAddress.parseTyped("ipv4:128.36.9.8", "t")).orElseThrow());
    }

    @Test
    void seedCostMapWithTypoMendedParsesToSixCosts() {
        assertEquals(seedCostMap(), codec.parseCostMap(SeedDocs.costMapFixed(), COST, NET));
    }

    @Test
    void seedCostRowParsesToTheRowOfPid1() {
        CostMap row = codec.parseCostMap(SeedDocs.load("costrow.xml"), COST, NET);

        assertEquals(Map.of("PID1", Map.of("PID2", 5.0, "PID3", 10.0)), row.costs());
    }

    @Test
    void seedRankingWithTypoMendedParsesToThreeRanks() {
        EndpointCostRow r = codec.parseEndpointCosts(SeedDocs.rankingFixed());

        assertEquals(new EndpointCostRow(new CostType("routingcost", CostMode.ORDINAL), ip("ipv4:128.36.22.1"),
                List.of(new EndpointCostRow.Entry(ip("ipv4:130.132.33.4"), 1),
                        new EndpointCostRow.Entry(ip("ipv4:128.30.24.89"), 2),
                        new EndpointCostRow.Entry(ip("ipv4:12.32.67.3"), 3))), r);
    }

    @Test
    void seedCostMapAsPrintedIsRefusedAsSyntaxErrorWithPosition() {
        AltoException e = assertThrows(AltoException.class,
                () -> codec.parseCostMap(SeedDocs.load("costmap-malformed.xml"), COST, NET));

        assertEquals(AltoErrorCode.E_SYNTAX, e.error().code());
        // cost="15/> runs on until the '<' of the next line's </row>.
        assertEquals("line 11, column 5: Unexpected character '<' (code 60) in attribute value",
                e.error().message());
    }

    @Test
    void seedRankingAsPrintedIsRefusedAsSyntaxErrorWithPosition() {
        AltoException e = assertThrows(AltoException.class,
                () -> codec.parseEndpointCosts(SeedDocs.load("ranking-malformed.xml")));

        assertEquals(AltoErrorCode.E_SYNTAX, e.error().code());
        assertEquals(true, e.error().message().startsWith("line 4, column 42: "), e.error().message());
    }

    @Test
    void renderedSeedNetworkMapIsTheSeedTextByteForByte() {
        assertEquals(SeedDocs.text("pids.xml"), codec.renderNetworkMap(seedNetworkMap()).asUtf8());
    }

    @Test
    void renderedSeedCostMapIsTheMendedSeedTextUpToIndentation() {
        String rendered = codec.renderCostMap(seedCostMap()).asUtf8();

        assertEquals(squeeze(SeedDocs.costMapFixed().asUtf8()), squeeze(rendered));
    }

    @Test
    void renderedSeedCostRowIsTheSeedTextUpToIndentation() {
        String rendered = codec.renderCostRows(seedCostMap(), List.of("PID1")).asUtf8();

        assertEquals(squeeze(SeedDocs.text("costrow.xml")), squeeze(rendered));
    }

    @Test
    void renderedSeedRankingIsTheMendedSeedTextUpToIndentation() {
        EndpointCostRow r = codec.parseEndpointCosts(SeedDocs.rankingFixed());

        assertEquals(squeeze(SeedDocs.rankingFixed().asUtf8()), squeeze(codec.renderEndpointCosts(r).asUtf8()));
    }

    /** The seed indents its cost map rows unevenly; compare with whitespace between tags removed. */
    private static String squeeze(String xml) {
        return xml.replaceAll(">\\s+<", "><").strip();
    }

    static NetworkMap seedNetworkMap() {
        return new NetworkMap(NET, Map.of(
                "PID1", List.of(cidr4("128.36.1.0/24"), cidr4("132.130.1.0/24"), cidr4("132.130.2.0/24")),
                "PID2", List.of(cidr4("130.132.3.0/24")),
                "PID3", List.of(cidr4("0.0.0.0/0"))));
    }

    static CostMap seedCostMap() {
        return new CostMap(COST, NET, new CostType("routingcost", CostMode.NUMERICAL), Map.of(
                "PID1", Map.of("PID2", 5.0, "PID3", 10.0),
                "PID2", Map.of("PID1", 5.0, "PID3", 15.0),
                "PID3", Map.of("PID1", 20.0, "PID2", 15.0)));
    }

    private static Cidr cidr4(String s) {
        return Cidr.parse(s, false, "test");
    }

    private static IpAddress ip(String typed) {
        return IpAddress.parseTyped(typed, "test");
    }
}
