package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.VersionTag;

/** Documents that are well-formed XML but not acceptable: the error names the field at fault. */
class XmlCodecRefusalTest {
    private static final String ALTO = "<alto xmlns=\"urn:ietf:params:xml:ns:p2p:alto\">";
    private static final VersionTag NET = new VersionTag("net", "v1");
    private static final VersionTag COST = new VersionTag("cost", "v1");
    private static final XmlCodec CODEC = new XmlCodec();

    private static final Function<Bytes, Object> COSTMAP = b -> CODEC.parseCostMap(b, COST, NET);
    private static final Function<Bytes, Object> PIDS = CODEC::parsePids;
    private static final Function<Bytes, Object> NETWORK_MAP = b -> CODEC.parseNetworkMap(b, NET);
    private static final Function<Bytes, Object> RANKING = CODEC::parseEndpointCosts;
    private static final Function<Bytes, Object> QUERY = CODEC::parseCostQuery;
    private static final Function<Bytes, Object> LOOKUP = CODEC::parseEndpointLookup;
    private static final Function<Bytes, Object> ANSWER = CODEC::parseEndpointPids;
    private static final Function<Bytes, Object> CAPABILITY = CODEC::parseCapability;

    static Stream<Arguments> refusals() {
        return Stream.of(
                // root and namespace
                refused(QUERY, "<alto><costquery/></alto>", AltoErrorCode.E_MISSING_FIELD, "alto"),
                refused(QUERY, "<alto xmlns=\"urn:other\"><costquery/></alto>", AltoErrorCode.E_MISSING_FIELD, "alto"),
                refused(QUERY, "<costquery xmlns=\"urn:ietf:params:xml:ns:p2p:alto\"/>", AltoErrorCode.E_MISSING_FIELD, "alto"),
                refused(QUERY, ALTO + "</alto>", AltoErrorCode.E_MISSING_FIELD, "costquery"),
                refused(QUERY, ALTO + "<costquery/><costquery/></alto>", AltoErrorCode.E_INVALID_FIELD_VALUE, "costquery"),
                // ranking request
                refused(QUERY, ALTO + "<costquery><dstendp name=\"ipv4:192.0.2.1\"/></costquery></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "costquery.srcendp"),
                refused(QUERY, ALTO + "<costquery><srcendp/><dstendp name=\"ipv4:192.0.2.1\"/></costquery></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "costquery.srcendp.name"),
                refused(QUERY, ALTO + "<costquery><srcendp name=\"ipv4:192.0.2.1\"/></costquery></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "costquery.dstendp"),
                refused(QUERY, ALTO + "<costquery><srcendp name=\"ipv4:192.0.2.1\"/><srcendp name=\"ipv4:192.0.2.2\"/>"
                        + "<dstendp name=\"ipv4:192.0.2.3\"/></costquery></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costquery.srcendp"),
                refused(QUERY, ALTO + "<costquery><srcendp name=\"192.0.2.1\"/><dstendp name=\"ipv4:192.0.2.3\"/>"
                        + "</costquery></alto>", AltoErrorCode.E_INVALID_FIELD_VALUE, "costquery.srcendp.name"),
                refused(QUERY, ALTO + "<costquery><srcendp name=\"ipv4:192.0.2.1\"/><dstendp name=\"ipv4:192.0.2.3\"/>"
                        + "<dstendp name=\"ipv4:192.0.2.256\"/></costquery></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costquery.dstendp[2].name"),
                refused(QUERY, ALTO + "<costquery type=\"route cost\"><srcendp name=\"ipv4:192.0.2.1\"/>"
                        + "<dstendp name=\"ipv4:192.0.2.3\"/></costquery></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costquery.type"),
                refused(QUERY, ALTO + "<costquery>just text</costquery></alto>",
                        AltoErrorCode.E_INVALID_FIELD_TYPE, "costquery[1]"),
                // endpoint lookup
                refused(LOOKUP, ALTO + "<endpoints/></alto>", AltoErrorCode.E_MISSING_FIELD, "endpoints.endpoint"),
                refused(LOOKUP, ALTO + "<endpoints><endpoint name=\"ipv6:2001:db8::g\"/></endpoints></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "endpoints.endpoint[1].name"),
                refused(ANSWER, ALTO + "<endpoints><endpoint name=\"ipv4:192.0.2.1\" pid=\"a b\"/></endpoints></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "endpoints.endpoint[1].pid"),
                refused(ANSWER, ALTO + "<endpoints><endpoint name=\"ipv4:192.0.2.1\"/><endpoint name=\"ipv4:192.0.2.1\"/>"
                        + "</endpoints></alto>", AltoErrorCode.E_INVALID_FIELD_VALUE, "endpoints.endpoint[2].name"),
                // cost maps
                refused(COSTMAP, ALTO + "<costmap mode=\"numerical\"/></alto>", AltoErrorCode.E_MISSING_FIELD, "costmap.type"),
                refused(COSTMAP, ALTO + "<costmap type=\"routingcost\"/></alto>", AltoErrorCode.E_MISSING_FIELD, "costmap.mode"),
                refused(COSTMAP, ALTO + "<costmap type=\"routingcost\" mode=\"cardinal\"/></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.mode"),
                refused(COSTMAP, costmap("numerical", "<pid name=\"B\" cost=\"1\"/>", "<pid name=\"A\" cost=\"five\"/>"),
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[2].pid[1].cost"),
                refused(COSTMAP, costmap("numerical", "<pid name=\"B\" cost=\"NaN\"/>"),
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[1].pid[1].cost"),
                refused(COSTMAP, costmap("numerical", "<pid name=\"B\" cost=\"1e999\"/>"),
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[1].pid[1].cost"),
                refused(COSTMAP, costmap("numerical", "<pid name=\"B\"/>"),
                        AltoErrorCode.E_MISSING_FIELD, "costmap.row[1].pid[1].cost"),
                refused(COSTMAP, costmap("ordinal", "<pid name=\"B\" cost=\"1\"/><pid name=\"C\" cost=\"1.5\"/>"),
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[1].pid[2].cost"),
                refused(COSTMAP, costmap("numerical", "<pid name=\"B\" cost=\"1\"/><pid name=\"B\" cost=\"2\"/>"),
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[1].pid[2].name"),
                refused(COSTMAP, ALTO + "<costmap type=\"routingcost\" mode=\"numerical\">"
                        + "<row srcpid=\"A\" size=\"2\"><pid name=\"B\" cost=\"1\"/></row></costmap></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[1].size"),
                refused(COSTMAP, ALTO + "<costmap type=\"routingcost\" mode=\"numerical\">"
                        + "<row srcpid=\"A\" size=\"-1\"/></costmap></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[1].size"),
                refused(COSTMAP, ALTO + "<costmap type=\"routingcost\" mode=\"numerical\">"
                        + "<row srcpid=\"A\"/><row srcpid=\"A\"/></costmap></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[2].srcpid"),
                refused(COSTMAP, ALTO + "<costmap type=\"routingcost\" mode=\"numerical\">"
                        + "<row srcendp=\"ipv4:192.0.2.1\"/></costmap></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "costmap.row[1].srcpid"),
                refused(RANKING, ALTO + "<costmap type=\"routingcost\" mode=\"ordinal\">"
                        + "<row srcendp=\"ipv4:192.0.2.1\"><endpoint name=\"ipv4:192.0.2.2\" cost=\"0\"/></row>"
                        + "</costmap></alto>", AltoErrorCode.E_INVALID_FIELD_VALUE, "costmap.row[1].endpoint[1].cost"),
                refused(RANKING, ALTO + "<costmap type=\"routingcost\" mode=\"ordinal\"/></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "costmap.row"),
                // network maps
                refused(PIDS, ALTO + "<pids size=\"2\"><pid name=\"A\"><cidr4 name=\"0.0.0.0/0\"/></pid></pids></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "pids.size"),
                refused(PIDS, ALTO + "<pids><pid name=\"A\" size=\"1\"/></pids></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "pids.pid[1].size"),
                refused(PIDS, ALTO + "<pids><pid><cidr4 name=\"0.0.0.0/0\"/></pid></pids></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "pids.pid[1].name"),
                refused(PIDS, ALTO + "<pids><pid name=\"A\"><cidr4 name=\"10.0.0.1/8\"/></pid></pids></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "pids.pid[1].cidr4[1].name"),
                refused(PIDS, ALTO + "<pids><pid name=\"A\"><cidr4 name=\"::/0\"/></pid></pids></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "pids.pid[1].cidr4[1].name"),
                refused(PIDS, ALTO + "<pids><pid name=\"A\"/><pid name=\"A\"/></pids></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "pids.pid[2].name"),
                refused(NETWORK_MAP, ALTO + "<pids><pid name=\"A\"><cidr4 name=\"10.0.0.0/8\"/></pid></pids></alto>",
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "network-map"),
                // capability
                refused(CAPABILITY, ALTO + "<configuration><alto-server uri=\"http://a.net/\"/></configuration></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "configuration.instance-name"),
                refused(CAPABILITY, ALTO + "<configuration instance-name=\"a\"/></alto>",
                        AltoErrorCode.E_MISSING_FIELD, "configuration.alto-server"),
                refused(CAPABILITY, ALTO + "<configuration instance-name=\"a\"><alto-server uri=\"file:///etc/passwd\"/>"
                        + "</configuration></alto>", AltoErrorCode.E_INVALID_FIELD_VALUE, "configuration.alto-server.uri"),
                refused(CAPABILITY, capability("<constraint-support value=\"maybe\"/>"),
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "configuration.constraint-support.value"),
                refused(CAPABILITY, capability("<cost units=\"ms\"/>"),
                        AltoErrorCode.E_MISSING_FIELD, "configuration.cost[1].type"),
                refused(CAPABILITY, capability("<keys><key kid=\"k\" kty=\"EC\" crv=\"P-256\" x=\"x\" alg=\"a\"/></keys>"),
                        AltoErrorCode.E_MISSING_FIELD, "configuration.keys.key[1].y"),
                refused(CAPABILITY, capability("<keys><key kid=\"k\" kty=\"OKP\" crv=\"Ed25519\" alg=\"ed25519\"/></keys>"),
                        AltoErrorCode.E_MISSING_FIELD, "configuration.keys.key[1].x"),
                refused(CAPABILITY, capability("<proxies><proxy uri=\"http://p1/\"/><proxy uri=\"edge\"/></proxies>"),
                        AltoErrorCode.E_INVALID_FIELD_VALUE, "configuration.proxies.proxy[2].uri"));
    }

    @ParameterizedTest(name = "[{index}] {3}")
    @MethodSource("refusals")
    void refusesNamingTheField(Function<Bytes, Object> parser, String doc, AltoErrorCode code, String field) {
        AltoException e = assertThrows(AltoException.class, () -> parser.apply(Bytes.utf8(doc)));

        AltoError error = e.error();
        assertEquals(code, error.code(), error.message());
        assertEquals(field, error.field(), error.message());
        assertEquals(400, error.httpStatus());
    }

    private static Arguments refused(Function<Bytes, Object> parser, String doc, AltoErrorCode code, String field) {
        return Arguments.of(parser, doc, code, field);
    }

    private static String costmap(String mode, String... rows) {
        StringBuilder sb = new StringBuilder(ALTO + "<costmap type=\"routingcost\" mode=\"" + mode + "\">");
        char src = 'A';
        for (String row : rows) {
            sb.append("<row srcpid=\"").append(src++).append("\">").append(row).append("</row>");
        }
        return sb.append("</costmap></alto>").toString();
    }

    private static String capability(String inside) {
        return ALTO + "<configuration instance-name=\"a\"><alto-server uri=\"http://a.net/\"/>" + inside
                + "</configuration></alto>";
    }
}
