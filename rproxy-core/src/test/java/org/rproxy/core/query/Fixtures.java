package org.rproxy.core.query;

import java.util.List;
import java.util.Map;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.json.Rfc7285Examples;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/** The RFC 7285 example maps as model values, and small builders for the query tests. */
final class Fixtures {
    static final VersionTag COST_VTAG = new VersionTag("num-routing-map", "c1");

    private Fixtures() {
    }

    /** §11.2.1.7: PID1 192.0.2.0/24 + 198.51.100.0/25, PID2 198.51.100.128/25, PID3 everything else (v4 and v6). */
    static NetworkMap rfcNetworkMap() {
        return AltoJson.readNetworkMap(Rfc7285Examples.json(Rfc7285Examples.NETWORK_MAP), null);
    }

    /** §11.2.3.7, numerical routingcost; no PID3 to PID3 cost. */
    static CostMap rfcCostMap() {
        return AltoJson.readCostMap(Rfc7285Examples.json(Rfc7285Examples.COST_MAP), COST_VTAG);
    }

    static IpAddress ip(String typed) {
        return IpAddress.parseTyped(typed, "test");
    }

    static Cidr v4(String s) {
        return Cidr.parse(s, false, "test");
    }

    static Cidr v6(String s) {
        return Cidr.parse(s, true, "test");
    }

    /** A dual-stack map: lan (v4 10/8, v6 2001:db8::/32), dc (v6 2001:db8:d::/48), rest. */
    static NetworkMap dualStackMap() {
        return new NetworkMap(new VersionTag("dual", "d1"), Map.of(
                "lan", List.of(v4("10.0.0.0/8"), v6("2001:db8::/32")),
                "dc", List.of(v6("2001:db8:d::/48")),
                "rest", List.of(v4("0.0.0.0/0"), v6("::/0"))));
    }
}
