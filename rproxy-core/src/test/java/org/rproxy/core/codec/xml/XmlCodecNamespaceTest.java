package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.IpAddress;

/**
 * The dialect puts every element in {@code urn:ietf:params:xml:ns:p2p:alto} and its attributes in
 * none. An element or attribute of the dialect's name in another namespace, or an element in none,
 * is not the dialect's: it is refused with an error naming it, where it used to be read as if it
 * were (Jackson binds by local name only). Elements and attributes of other names in other
 * namespaces are extensions, ignored like unknown elements of the dialect's own.
 */
class XmlCodecNamespaceTest {
    private static final String NS = "urn:ietf:params:xml:ns:p2p:alto";
    private static final String ALTO = "<alto xmlns=\"" + NS + "\" xmlns:x=\"urn:example:other\">";
    private static final String SRC = "<srcendp name=\"ipv4:192.0.2.1\"/>";
    private static final String DST = "<dstendp name=\"ipv4:192.0.2.2\"/>";
    private static final XmlCodec CODEC = new XmlCodec();

    private static final Function<Bytes, Object> QUERY = CODEC::parseCostQuery;
    private static final Function<Bytes, Object> LOOKUP = CODEC::parseEndpointLookup;
    private static final Function<Bytes, Object> PIDS = CODEC::parsePids;

    static Stream<Arguments> refusals() {
        return Stream.of(
                // the document element in another namespace, or in none
                refused(QUERY, ALTO + "<x:costquery type=\"routingcost\">" + SRC + DST + "</x:costquery></alto>",
                        "costquery", "{urn:example:other}costquery"),
                refused(QUERY, ALTO + "<costquery xmlns=\"\" type=\"routingcost\"><srcendp name=\"ipv4:192.0.2.1\"/>"
                        + "<dstendp name=\"ipv4:192.0.2.2\"/></costquery></alto>", "costquery", "{}costquery"),
                // a child in another namespace or none: the right local name is not enough
                refused(QUERY, ALTO + "<costquery><x:srcendp name=\"ipv4:192.0.2.1\"/>" + DST + "</costquery></alto>",
                        "costquery.srcendp[1]", "{urn:example:other}srcendp"),
                refused(QUERY, ALTO + "<costquery>" + SRC + DST + "<dstendp xmlns=\"\" name=\"ipv4:192.0.2.3\"/>"
                        + "</costquery></alto>", "costquery.dstendp[2]", "{}dstendp"),
                refused(LOOKUP, ALTO + "<endpoints><endpoint name=\"ipv4:192.0.2.1\"/>"
                        + "<x:endpoint name=\"ipv4:192.0.2.9\"/></endpoints></alto>",
                        "endpoints.endpoint[2]", "{urn:example:other}endpoint"),
                refused(PIDS, ALTO + "<pids><pid name=\"A\"><cidr4 name=\"0.0.0.0/0\"/>"
                        + "<x:cidr4 name=\"10.0.0.0/8\"/></pid></pids></alto>",
                        "pids.pid[1].cidr4[2]", "{urn:example:other}cidr4"),
                // an attribute of the dialect's name in a namespace: the dialect's attributes have none
                refused(QUERY, ALTO + "<costquery><srcendp x:name=\"ipv4:192.0.2.9\"/>" + DST + "</costquery></alto>",
                        "costquery.srcendp[1].name", "{urn:example:other}name"),
                refused(QUERY, "<a:alto xmlns:a=\"" + NS + "\"><a:costquery a:type=\"hopcount\"><a:srcendp"
                        + " name=\"ipv4:192.0.2.1\"/><a:dstendp name=\"ipv4:192.0.2.2\"/></a:costquery></a:alto>",
                        "costquery.type", "{" + NS + "}type"));
    }

    private static Arguments refused(Function<Bytes, Object> parse, String xml, String field, String value) {
        return Arguments.of(parse, xml, field, value);
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void theDialectsNamesOutsideItsNamespaceAreRefusedNamingTheElement(Function<Bytes, Object> parse, String xml,
                                                                       String field, String value) {
        AltoException e = assertThrows(AltoException.class, () -> parse.apply(Bytes.utf8(xml)),
                "accepted as the dialect's: " + xml);
        AltoError error = e.error();
        assertEquals(AltoErrorCode.E_INVALID_FIELD_VALUE, error.code(), error.toString());
        assertEquals(field, error.field(), error.toString());
        assertEquals(value, error.value(), error.toString());
        assertTrue(error.message().contains(NS), error.message());
    }

    @Test
    void otherNamesInOtherNamespacesAreExtensionsAndIgnored() {
        CostQuery q = CODEC.parseCostQuery(Bytes.utf8(ALTO + "<x:note><x:srcendp name=\"ignored with its parent\"/>"
                + "</x:note><costquery type=\"hopcount\" x:weight=\"3\" xml:lang=\"en\">" + SRC + DST
                + "<x:hint/><hint xmlns=\"\"/></costquery></alto>"));
        assertEquals("hopcount", q.metric());
        assertEquals(List.of(IpAddress.parseTyped("ipv4:192.0.2.2", "t")), q.destinations());
    }

    @Test
    void theDialectsNamespaceMayBeGivenWithAPrefix() {
        CostQuery q = CODEC.parseCostQuery(Bytes.utf8("<a:alto xmlns:a=\"" + NS + "\"><a:costquery type=\"hopcount\">"
                + "<a:srcendp name=\"ipv4:192.0.2.1\"/><a:dstendp name=\"ipv4:192.0.2.2\"/></a:costquery></a:alto>"));
        assertEquals("hopcount", q.metric());
        assertEquals(1, q.destinations().size());
    }
}
