package org.rproxy.core.codec.xml;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonMerge;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;

/**
 * The Jackson XML binding of the seed dialect (draft-penno-alto-protocol-03): one {@code <alto>}
 * root holding exactly one document element. These are mutable transfer objects, private to this
 * package: the {@code *Xml} classes turn them into validated model records and back, so nothing
 * here checks anything.
 *
 * <p>Attributes are bound as strings so that a bad number is reported with our own field name,
 * not Jackson's. Child elements are bound as lists even where one is expected, so that a repeated
 * element is refused instead of silently overwriting the first one; {@link JsonMerge} keeps
 * non-adjacent elements of one name (a {@code cidr4} after a {@code cidr6}) together. Every element
 * carries the dialect's namespace so the writer declares it once, on the root.
 */
@JacksonXmlRootElement(localName = "alto", namespace = AltoDto.NS)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"configuration", "pids", "costmap", "endpoints", "costquery", "error"})
final class AltoDto {
    /** The seed's namespace; the root must be {@code {NS}alto}. */
    static final String NS = "urn:ietf:params:xml:ns:p2p:alto";

    @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "configuration", namespace = NS)
    List<Configuration> configuration = new ArrayList<>();

    @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "pids", namespace = NS)
    List<Pids> pids = new ArrayList<>();

    @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "costmap", namespace = NS)
    List<CostMap> costmap = new ArrayList<>();

    @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "endpoints", namespace = NS)
    List<Endpoints> endpoints = new ArrayList<>();

    @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "costquery", namespace = NS)
    List<CostQuery> costquery = new ArrayList<>();

    @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
    @JacksonXmlProperty(localName = "error", namespace = NS)
    List<Error> error = new ArrayList<>();

    /** {@code <configuration>}: the capability document, with our keys/proxies extension. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"instanceName", "altoServer", "cost", "constraintSupport", "keys", "proxies"})
    static final class Configuration {
        @JacksonXmlProperty(localName = "instance-name", isAttribute = true)
        String instanceName;

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "alto-server", namespace = NS)
        List<Named> altoServer = new ArrayList<>();

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "cost", namespace = NS)
        List<Cost> cost = new ArrayList<>();

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "constraint-support", namespace = NS)
        List<Named> constraintSupport = new ArrayList<>();

        /** Null when absent, so a document without the extension is told from one with none. */
        @JsonMerge @JacksonXmlElementWrapper(localName = "keys", namespace = NS)
        @JacksonXmlProperty(localName = "key", namespace = NS)
        List<Key> keys;

        @JsonMerge @JacksonXmlElementWrapper(localName = "proxies", namespace = NS)
        @JacksonXmlProperty(localName = "proxy", namespace = NS)
        List<Named> proxies;
    }

    /** {@code <cost type units mode/>}: one cost type the server offers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "units", "mode"})
    static final class Cost {
        @JacksonXmlProperty(isAttribute = true) String type;
        @JacksonXmlProperty(isAttribute = true) String units;
        @JacksonXmlProperty(isAttribute = true) String mode;
    }

    /** {@code <key .../>}: one JWK (RFC 7517) flattened into attributes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"kid", "kty", "crv", "x", "y", "alg"})
    static final class Key {
        @JacksonXmlProperty(isAttribute = true) String kid;
        @JacksonXmlProperty(isAttribute = true) String kty;
        @JacksonXmlProperty(isAttribute = true) String crv;
        @JacksonXmlProperty(isAttribute = true) String x;
        @JacksonXmlProperty(isAttribute = true) String y;
        @JacksonXmlProperty(isAttribute = true) String alg;
    }

    /** {@code <pids size>}: a network map, or the PIDs asked for in a reverse lookup. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"size", "pid"})
    static final class Pids {
        @JacksonXmlProperty(isAttribute = true) String size;

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "pid", namespace = NS)
        List<Pid> pid = new ArrayList<>();
    }

    /** {@code <pid name size>} with its {@code cidr4}/{@code cidr6} prefixes. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"name", "size", "cidr4", "cidr6"})
    static final class Pid {
        @JacksonXmlProperty(isAttribute = true) String name;
        @JacksonXmlProperty(isAttribute = true) String size;

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "cidr4", namespace = NS)
        List<Named> cidr4 = new ArrayList<>();

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "cidr6", namespace = NS)
        List<Named> cidr6 = new ArrayList<>();
    }

    /** {@code <costmap type mode>}: rows by source PID (cost map) or by source endpoint (ranking). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "mode", "row"})
    static final class CostMap {
        @JacksonXmlProperty(isAttribute = true) String type;
        @JacksonXmlProperty(isAttribute = true) String mode;

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "row", namespace = NS)
        List<Row> row = new ArrayList<>();
    }

    /** {@code <row srcpid|srcendp size>} with {@code pid} or {@code endpoint} entries. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"srcpid", "srcendp", "size", "pid", "endpoint"})
    static final class Row {
        @JacksonXmlProperty(isAttribute = true) String srcpid;
        @JacksonXmlProperty(isAttribute = true) String srcendp;
        @JacksonXmlProperty(isAttribute = true) String size;

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "pid", namespace = NS)
        List<Named> pid = new ArrayList<>();

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "endpoint", namespace = NS)
        List<Named> endpoint = new ArrayList<>();
    }

    /** {@code <endpoints size>}: a lookup request (names only) or its answer (names and PIDs). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"size", "endpoint"})
    static final class Endpoints {
        @JacksonXmlProperty(isAttribute = true) String size;

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "endpoint", namespace = NS)
        List<Named> endpoint = new ArrayList<>();
    }

    /** {@code <costquery type>}: the ranking request, one source and the destinations to rank. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "srcendp", "dstendp"})
    static final class CostQuery {
        @JacksonXmlProperty(isAttribute = true) String type;

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "srcendp", namespace = NS)
        List<Named> srcendp = new ArrayList<>();

        @JsonMerge @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "dstendp", namespace = NS)
        List<Named> dstendp = new ArrayList<>();
    }

    /** {@code <error code field value message/>}: an ALTO error (RFC 7285 §8.5.2) in this dialect. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"code", "field", "value", "message"})
    static final class Error {
        @JacksonXmlProperty(isAttribute = true) String code;
        @JacksonXmlProperty(isAttribute = true) String field;
        @JacksonXmlProperty(isAttribute = true) String value;
        @JacksonXmlProperty(isAttribute = true) String message;
        /** The message as element text: the form the front end writes its own errors in. */
        @JacksonXmlText @JsonInclude(JsonInclude.Include.NON_NULL) String text;
    }

    /**
     * An element that is all attributes: {@code cidr4}, {@code alto-server uri}, {@code proxy uri},
     * a cost entry {@code pid/endpoint name cost}, an answer {@code endpoint name pid}. Unused
     * attributes stay null and are not written.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "uri", "value", "pid", "cost"})
    static final class Named {
        @JacksonXmlProperty(isAttribute = true) String name;
        @JacksonXmlProperty(isAttribute = true) String uri;
        @JacksonXmlProperty(isAttribute = true) String value;
        @JacksonXmlProperty(isAttribute = true) String pid;
        @JacksonXmlProperty(isAttribute = true) String cost;

        static Named name(String name) {
            Named n = new Named();
            n.name = name;
            return n;
        }

        static Named uri(String uri) {
            Named n = new Named();
            n.uri = uri;
            return n;
        }
    }
}
