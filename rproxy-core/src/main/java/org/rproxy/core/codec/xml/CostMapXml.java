package org.rproxy.core.codec.xml;

import static org.rproxy.core.codec.xml.XmlFields.at;
import static org.rproxy.core.codec.xml.XmlFields.checkSize;
import static org.rproxy.core.codec.xml.XmlFields.one;
import static org.rproxy.core.codec.xml.XmlFields.required;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.VersionTag;

/**
 * Maps cost maps and ranking answers to and from {@code <costmap>} (draft-penno-alto-protocol-03,
 * "Retrieve Cost Map", {@code GET /cost/row} and "Request Ranking"). Both use one element: rows
 * keyed by {@code srcpid} with {@code pid} entries for maps, one row keyed by {@code srcendp} with
 * {@code endpoint} entries for rankings. As in the seed, only the pairs the model holds are
 * written: no diagonal unless the map has one. Stateless.
 */
final class CostMapXml {
    private static final String ROOT = "costmap";

    private CostMapXml() {
    }

    /** All rows of {@code map}, sources in the map's (sorted) order. */
    static AltoDto toDto(CostMap map) {
        return toDto(map, map.costs().keySet());
    }

    /**
     * The rows of the given sources, sorted by PID; a source without costs gets an empty row, as
     * whether it exists is for the caller (which knows the network map) to decide.
     */
    static AltoDto toDto(CostMap map, Collection<String> sources) {
        AltoDto.CostMap dto = header(map.costType());
        for (String src : new TreeSet<>(sources)) {
            AltoDto.Row row = new AltoDto.Row();
            row.srcpid = Identifiers.pid(src, "srcpid");
            map.forEachCost(src, (dst, cost) -> row.pid.add(entry(dst, cost)));
            row.size = Integer.toString(row.pid.size());
            dto.row.add(row);
        }
        return wrap(dto);
    }

    static AltoDto toDto(EndpointCostRow answer) {
        AltoDto.CostMap dto = header(answer.costType());
        AltoDto.Row row = new AltoDto.Row();
        row.srcendp = answer.source().toTyped();
        answer.entries().forEach(e -> row.endpoint.add(entry(e.endpoint().toTyped(), e.cost())));
        row.size = Integer.toString(row.endpoint.size());
        dto.row.add(row);
        return wrap(dto);
    }

    private static AltoDto.CostMap header(CostType type) {
        AltoDto.CostMap dto = new AltoDto.CostMap();
        dto.type = type.metric();
        dto.mode = type.mode().wireName();
        return dto;
    }

    private static AltoDto.Named entry(String name, double cost) {
        AltoDto.Named n = AltoDto.Named.name(name);
        n.cost = CostValues.format(cost);
        return n;
    }

    private static AltoDto wrap(AltoDto.CostMap dto) {
        AltoDto doc = new AltoDto();
        doc.costmap.add(dto);
        return doc;
    }

    /** A cost map (or some of its rows); the XML carries no version tags, so the caller gives them. */
    static CostMap costMapFromDto(AltoDto doc, VersionTag vtag, VersionTag dependentVtag) {
        AltoDto.CostMap dto = one(doc.costmap, ROOT);
        CostType type = type(dto);
        Map<String, Map<String, Double>> costs = new LinkedHashMap<>();
        for (int i = 0; i < dto.row.size(); i++) {
            AltoDto.Row row = dto.row.get(i);
            String field = at(ROOT, "row", i);
            String src = Identifiers.pid(required(row.srcpid, field + ".srcpid"), field + ".srcpid");
            if (costs.containsKey(src)) {
                throw new AltoException(AltoError.invalidValue(field + ".srcpid", src, "row " + src + " appears twice"));
            }
            checkSize(row.size, row.pid.size(), field + ".size");
            Map<String, Double> r = new LinkedHashMap<>();
            for (int j = 0; j < row.pid.size(); j++) {
                AltoDto.Named e = row.pid.get(j);
                String f = at(field, "pid", j);
                String dst = Identifiers.pid(required(e.name, f + ".name"), f + ".name");
                if (r.put(dst, cost(e, type.mode(), f)) != null) {
                    throw new AltoException(AltoError.invalidValue(f + ".name", dst, "PID " + dst + " appears twice in the row"));
                }
            }
            costs.put(src, r);
        }
        return new CostMap(vtag, dependentVtag, type, costs);
    }

    /** A ranking answer: exactly one row, keyed by a source endpoint. */
    static EndpointCostRow rankingFromDto(AltoDto doc) {
        AltoDto.CostMap dto = one(doc.costmap, ROOT);
        CostType type = type(dto);
        AltoDto.Row row = one(dto.row, ROOT + ".row");
        String field = ROOT + ".row[1]";
        IpAddress src = IpAddress.parseTyped(required(row.srcendp, field + ".srcendp"), field + ".srcendp");
        checkSize(row.size, row.endpoint.size(), field + ".size");
        List<EndpointCostRow.Entry> entries = new ArrayList<>(row.endpoint.size());
        Set<IpAddress> seen = new HashSet<>();
        for (int j = 0; j < row.endpoint.size(); j++) {
            AltoDto.Named e = row.endpoint.get(j);
            String f = at(field, "endpoint", j);
            IpAddress dst = IpAddress.parseTyped(required(e.name, f + ".name"), f + ".name");
            if (!seen.add(dst)) {
                throw new AltoException(AltoError.invalidValue(f + ".name", e.name, e.name + " appears twice in the row"));
            }
            entries.add(new EndpointCostRow.Entry(dst, cost(e, type.mode(), f)));
        }
        return new EndpointCostRow(type, src, entries);
    }

    private static CostType type(AltoDto.CostMap dto) {
        String metric = Identifiers.costMetric(required(dto.type, ROOT + ".type"), ROOT + ".type");
        CostMode mode = CostMode.parse(required(dto.mode, ROOT + ".mode"), ROOT + ".mode");
        return new CostType(metric, mode);
    }

    private static double cost(AltoDto.Named e, CostMode mode, String field) {
        return CostValues.parse(required(e.cost, field + ".cost"), mode, field + ".cost");
    }
}
