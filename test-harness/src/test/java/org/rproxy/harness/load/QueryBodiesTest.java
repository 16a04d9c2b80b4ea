package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.xml.CostQuery;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.Bytes;

class QueryBodiesTest {
    private static final int IP = (16 << 24) | 5;
    private static final int[] PEERS = {(16 << 24) | (1 << 8) | 9, (9 << 24) | 1};

    @Test
    void theJsonBodiesAreTheRfc7285Requests() throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode rank = m.readTree(QueryBodies.jsonRanking("routingcost", IP, PEERS));
        assertEquals("ordinal", rank.path("cost-type").path("cost-mode").asText());
        assertEquals("ipv4:16.0.0.5", rank.path("endpoints").path("srcs").get(0).asText());
        assertEquals("ipv4:9.0.0.1", rank.path("endpoints").path("dsts").get(1).asText());
        JsonNode row = m.readTree(QueryBodies.costRow("hopcount", "pop-0001"));
        assertEquals("pop-0001", row.path("pids").path("srcs").get(0).asText());
        assertEquals(0, row.path("pids").path("dsts").size(), "an empty list means every destination");
        assertEquals("net.pid", m.readTree(QueryBodies.endpointPid("net", IP)).path("properties").get(0).asText());
    }

    @Test
    void theXmlRankingParsesWithTheProductsCodec() {
        CostQuery q = new XmlCodec().parseCostQuery(Bytes.utf8(QueryBodies.xmlRanking(IP, PEERS)));
        assertEquals("routingcost", q.metric());
        assertEquals("16.0.0.5", q.source().toLiteral());
        assertEquals(2, q.destinations().size());
        assertEquals("16.0.1.9", q.destinations().get(0).toLiteral());
    }

    @Test
    void thePidIsReadFromEitherDialectsAnswer() {
        assertEquals("pop-0003", QueryBodies.pidIn("<endpoint name=\"ipv4:16.0.8.3\" pid=\"pop-0003\"/>", true));
        assertEquals("PID1", QueryBodies.pidIn("{\"endpoint-properties\":{\"ipv4:1.2.3.4\":{\"net.pid\":\"PID1\"}}}", false));
        assertNull(QueryBodies.pidIn("{\"meta\":{}}", false));
        assertNull(QueryBodies.pidIn("<endpoint pid=\"unterminated", true));
    }
}
