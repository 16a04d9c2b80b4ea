package org.rproxy.core.codec.xml;

import static org.rproxy.core.codec.xml.XmlFields.at;
import static org.rproxy.core.codec.xml.XmlFields.checkCount;
import static org.rproxy.core.codec.xml.XmlFields.one;
import static org.rproxy.core.codec.xml.XmlFields.required;

import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.IpAddress;

/**
 * Maps {@link CostQuery}, the ranking request body, to and from {@code <costquery>}. Untrusted
 * input from any client, so every check names its field and the number of destinations is capped
 * before any address is parsed. Stateless.
 */
final class CostQueryXml {
    private static final String ROOT = "costquery";

    private CostQueryXml() {
    }

    static AltoDto toDto(CostQuery q) {
        AltoDto.CostQuery dto = new AltoDto.CostQuery();
        dto.type = q.metric();
        dto.srcendp.add(AltoDto.Named.name(q.source().toTyped()));
        q.destinations().forEach(d -> dto.dstendp.add(AltoDto.Named.name(d.toTyped())));
        AltoDto doc = new AltoDto();
        doc.costquery.add(dto);
        return doc;
    }

    /**
     * @throws org.rproxy.core.model.AltoException {@code E_MISSING_FIELD} for a missing
     *         {@code costquery}, {@code srcendp} or {@code dstendp}; {@code E_INVALID_FIELD_VALUE}
     *         for a bad metric or address, a repeated {@code srcendp}, or more than {@code max}
     *         destinations
     */
    static CostQuery fromDto(AltoDto doc, int max) {
        AltoDto.CostQuery dto = one(doc.costquery, ROOT);
        String metric = dto.type == null ? CostQuery.DEFAULT_METRIC : Identifiers.costMetric(dto.type, ROOT + ".type");
        AltoDto.Named src = one(dto.srcendp, ROOT + ".srcendp");
        IpAddress source = IpAddress.parseTyped(required(src.name, ROOT + ".srcendp.name"), ROOT + ".srcendp.name");
        checkCount(dto.dstendp.size(), max, ROOT + ".dstendp");
        List<IpAddress> destinations = new ArrayList<>(dto.dstendp.size());
        for (int i = 0; i < dto.dstendp.size(); i++) {
            String f = at(ROOT, "dstendp", i) + ".name";
            destinations.add(IpAddress.parseTyped(required(dto.dstendp.get(i).name, f), f));
        }
        return new CostQuery(metric, source, destinations);
    }
}
