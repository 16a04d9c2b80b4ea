package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.IpAddress;

/** The two request bodies the dialect accepts: the ranking query and the endpoint lookup. */
class XmlCodecRequestTest {
    private static final String ALTO = "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\">";

    private final XmlCodec codec = new XmlCodec();

    @Test
    void rankingQueryWithoutTypeRanksByRoutingCost() {
        CostQuery q = codec.parseCostQuery(Bytes.utf8(ALTO + "<costquery><srcendp name=\"ipv4:128.36.22.1\"/>"
                + "<dstendp name=\"ipv4:130.132.33.4\"/><dstendp name=\"ipv4:128.30.24.89\"/>"
                + "<dstendp name=\"ipv4:12.32.67.3\"/></costquery></alto>"));

        assertEquals(new CostQuery("routingcost", ip("ipv4:128.36.22.1"),
                List.of(ip("ipv4:130.132.33.4"), ip("ipv4:128.30.24.89"), ip("ipv4:12.32.67.3"))), q);
    }

    @Test
    void rankingQueryDestinationsAreDedupedKeepingFirstOrder() {
        CostQuery q = codec.parseCostQuery(Bytes.utf8(ALTO + "<costquery type=\"hopcount\">"
                + "<dstendp name=\"ipv6:2001:DB8::1\"/><srcendp name=\"ipv6:2001:db8::9\"/>"
                + "<dstendp name=\"ipv4:192.0.2.1\"/><dstendp name=\"ipv6:2001:db8:0::1\"/>"
                + "<unknown-extension/></costquery></alto>"));

        assertEquals("hopcount", q.metric());
        assertEquals(List.of(ip("ipv6:2001:db8::1"), ip("ipv4:192.0.2.1")), q.destinations());
    }

    @Test
    void rankingQueryWithTheMaximumOfDestinationsIsAccepted() {
        CostQuery q = codec.parseCostQuery(query(XmlCodec.MAX_ENDPOINTS));

        assertEquals(XmlCodec.MAX_ENDPOINTS, q.destinations().size());
    }

    @Test
    void rankingQueryWithOneDestinationTooManyIsRefused() {
        AltoException e = assertThrows(AltoException.class,
                () -> codec.parseCostQuery(query(XmlCodec.MAX_ENDPOINTS + 1)));

        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, e.error().code());
        assertEquals("costquery.dstendp", e.error().field());
    }

    @Test
    void lookupRequestIsDedupedInOrder() {
        List<IpAddress> eps = codec.parseEndpointLookup(Bytes.utf8(ALTO + "<endpoints>"
                + "<endpoint name=\"ipv4:128.36.9.8\"/><endpoint name=\"ipv4:130.132.10.5\"/>"
                + "<endpoint name=\"ipv4:128.36.9.8\"/></endpoints></alto>"));

        assertEquals(List.of(ip("ipv4:128.36.9.8"), ip("ipv4:130.132.10.5")), eps);
    }

    @Test
    void lookupRequestWithTooManyEndpointsIsRefused() {
        StringBuilder sb = new StringBuilder(ALTO + "<endpoints>");
        for (int i = 0; i <= XmlCodec.MAX_ENDPOINTS; i++) {
            sb.append("<endpoint name=\"ipv4:10.0.").append(i / 256).append('.').append(i % 256).append("\"/>");
        }
        Bytes body = Bytes.utf8(sb.append("</endpoints></alto>").toString());

        AltoException e = assertThrows(AltoException.class, () -> codec.parseEndpointLookup(body));

        assertEquals("endpoints.endpoint", e.error().field());
    }

    private static Bytes query(int destinations) {
        StringBuilder sb = new StringBuilder(ALTO + "<costquery><srcendp name=\"ipv4:192.0.2.1\"/>");
        for (int i = 0; i < destinations; i++) {
            sb.append("<dstendp name=\"ipv4:10.0.").append(i / 256).append('.').append(i % 256).append("\"/>");
        }
        return Bytes.utf8(sb.append("</costquery></alto>").toString());
    }

    private static IpAddress ip(String typed) {
        return IpAddress.parseTyped(typed, "test");
    }
}
