package org.rproxy.core.codec.xml;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.model.VersionTag;

/**
 * The seed's XML dialect (draft-penno-alto-protocol-03, namespace
 * {@code urn:ietf:params:xml:ns:p2p:alto}, root {@code <alto>}): renders the model to UTF-8
 * documents and parses documents and request bodies back. The JSON codec renders the same model
 * records in RFC 7285 form.
 *
 * <p>Rendering is deterministic (same input, same bytes), so the origin can sign what it renders
 * and a re-render is byte-identical. Parsing is strict and safe: no DTDs or entities, a syntax
 * error reports its line and column, and every other refusal is an {@link AltoException} naming
 * the field at fault as a dotted path with 1-based positions ({@code costmap.row[2].pid[1].cost}).
 * Every element is in the dialect's namespace and every attribute in none: one of the dialect's
 * names elsewhere (a {@code <x:dstendp>}, a {@code <dstendp xmlns="">}, an {@code x:name}) is
 * refused with {@code E_INVALID_FIELD_VALUE} naming it, never read as the dialect's. Unknown
 * elements and attributes, and other names in other namespaces, are ignored (RFC 7285 §8.3.7).
 * Jackson XML does not tell an
 * attribute from a child element of the same name on reading, so {@code <srcendp><name>..</name>}
 * is read like {@code <srcendp name=".."/>}; that leniency is harmless and is not relied upon.
 *
 * <p>Thread-safe: one instance serves all threads, and all share one configured {@code XmlMapper},
 * made at the first document rendered or parsed (so that code which only holds an instance, as
 * the answer engine in the client library does, never loads Jackson XML and Woodstox). Parsing
 * and rendering are CPU work: call them off the event loop.
 */
public final class XmlCodec {
    /** The most endpoints a ranking request or endpoint lookup may name. */
    public static final int MAX_ENDPOINTS = 10_000;

    /** The binder, made on first use: its class loads Jackson XML and Woodstox. */
    private static final class Shared {
        static final XmlBinder BINDER = new XmlBinder();
    }

    /** {@code GET /capability}. */
    public Bytes renderCapability(Capability capability) {
        return Shared.BINDER.write(CapabilityXml.toDto(requireNonNull(capability, "capability")));
    }

    /** {@code GET /capability} of a directory; see {@link Capability#of}. */
    public Bytes renderCapability(Directory directory, String instanceName, String serverUri) {
        return renderCapability(Capability.of(directory, instanceName, serverUri));
    }

    public Capability parseCapability(Bytes body) {
        return CapabilityXml.fromDto(Shared.BINDER.read(body));
    }

    /** {@code GET /prop/pid}: the whole network map, PIDs and prefixes sorted. */
    public Bytes renderNetworkMap(NetworkMap map) {
        return Shared.BINDER.write(PidsXml.toDto(map.pids()));
    }

    /**
     * The reverse network map query ({@code GET /prop/pid?pid=PID1&pid=PID2}): the same element as
     * the network map, holding only the PIDs asked for (in map order, each once).
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} naming {@code pid} for a PID the map lacks
     */
    public Bytes renderPids(NetworkMap map, Collection<String> pids) {
        Set<String> wanted = Set.copyOf(pids);
        for (String pid : wanted) {
            if (!map.hasPid(pid)) {
                throw new AltoException(AltoError.invalidValue("pid", pid,
                        "no PID " + pid + " in network map " + map.vtag().resourceId()));
            }
        }
        Map<String, List<Cidr>> subset = new LinkedHashMap<>();
        map.pids().forEach((pid, prefixes) -> {
            if (wanted.contains(pid)) {
                subset.put(pid, prefixes);
            }
        });
        return Shared.BINDER.write(PidsXml.toDto(subset));
    }

    /**
     * The PIDs of a {@code <pids>} document, whole map or reverse-lookup subset, in document
     * order; not checked for completeness.
     */
    public Map<String, List<Cidr>> parsePids(Bytes body) {
        return PidsXml.fromDto(Shared.BINDER.read(body));
    }

    /**
     * A whole network map; the XML carries no version tag, so the caller supplies it.
     *
     * @throws AltoException also when the PIDs do not form a valid, complete map
     */
    public NetworkMap parseNetworkMap(Bytes body, VersionTag vtag) {
        return new NetworkMap(vtag, parsePids(body));
    }

    /** {@code GET /cost/map}. */
    public Bytes renderCostMap(CostMap map) {
        return Shared.BINDER.write(CostMapXml.toDto(map));
    }

    /**
     * {@code GET /cost/row?srcpid=PID1}: the rows of the given sources, sorted; a source the map
     * has no costs for gets an empty row (the caller checks that the PID exists).
     */
    public Bytes renderCostRows(CostMap map, Collection<String> srcPids) {
        return Shared.BINDER.write(CostMapXml.toDto(map, srcPids));
    }

    /**
     * A cost map or some of its rows. The XML carries no version tags, so the caller supplies
     * them; the cost type has no description.
     */
    public CostMap parseCostMap(Bytes body, VersionTag vtag, VersionTag dependentVtag) {
        return CostMapXml.costMapFromDto(Shared.BINDER.read(body), vtag, dependentVtag);
    }

    /** The answer to {@code POST /cost/m?mode=ordinal} (or {@code numerical}). */
    public Bytes renderEndpointCosts(EndpointCostRow answer) {
        return Shared.BINDER.write(CostMapXml.toDto(requireNonNull(answer, "answer")));
    }

    public EndpointCostRow parseEndpointCosts(Bytes body) {
        return CostMapXml.rankingFromDto(Shared.BINDER.read(body));
    }

    /** The ranking request body, as a client or a forwarding proxy sends it. */
    public Bytes renderCostQuery(CostQuery query) {
        return Shared.BINDER.write(CostQueryXml.toDto(requireNonNull(query, "query")));
    }

    /** The ranking request body of {@code POST /cost/m}: at most {@link #MAX_ENDPOINTS} destinations. */
    public CostQuery parseCostQuery(Bytes body) {
        return CostQueryXml.fromDto(Shared.BINDER.read(body), MAX_ENDPOINTS);
    }

    /** The endpoint lookup request body, as a client sends it to {@code POST /prop/pid/lookup}. */
    public Bytes renderEndpointLookup(List<IpAddress> endpoints) {
        return Shared.BINDER.write(EndpointsXml.requestToDto(List.copyOf(endpoints)));
    }

    /** The endpoint lookup request body: at most {@link #MAX_ENDPOINTS}, duplicates removed. */
    public List<IpAddress> parseEndpointLookup(Bytes body) {
        return EndpointsXml.requestFromDto(Shared.BINDER.read(body), MAX_ENDPOINTS);
    }

    /** The answer to an endpoint lookup, in the order given. */
    public Bytes renderEndpointPids(List<EndpointPid> answer) {
        return Shared.BINDER.write(EndpointsXml.answerToDto(List.copyOf(answer)));
    }

    public List<EndpointPid> parseEndpointPids(Bytes body) {
        return EndpointsXml.answerFromDto(Shared.BINDER.read(body));
    }

    /** An ALTO error in the XML dialect; the HTTP status goes in the status line, not the body. */
    public Bytes renderError(AltoError error) {
        return Bytes.utf8(errorText(error));
    }

    /** {@link #renderError} as text, exactly as the front end serves it; needs no codec instance. */
    public static String errorText(AltoError error) {
        return ErrorXml.text(requireNonNull(error, "error"));
    }

    public AltoError parseError(Bytes body) {
        return ErrorXml.fromDto(Shared.BINDER.read(body));
    }
}
