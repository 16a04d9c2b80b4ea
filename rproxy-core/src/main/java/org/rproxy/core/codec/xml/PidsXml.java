package org.rproxy.core.codec.xml;

import static org.rproxy.core.codec.xml.XmlFields.at;
import static org.rproxy.core.codec.xml.XmlFields.checkSize;
import static org.rproxy.core.codec.xml.XmlFields.one;
import static org.rproxy.core.codec.xml.XmlFields.required;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Cidr;
import org.rproxy.core.model.Identifiers;

/**
 * Maps PIDs and their prefixes to and from {@code <pids>} (draft-penno-alto-protocol-03, "Retrieve
 * Network Map" and the reverse network map query). The same element carries a whole network map
 * or the few PIDs a reverse lookup asked for, so this class works on a plain PID-to-prefixes map;
 * checking that the PIDs form a complete map is {@link org.rproxy.core.model.NetworkMap}'s job.
 * Stateless.
 */
final class PidsXml {
    private static final String ROOT = "pids";

    private PidsXml() {
    }

    /** Renders {@code pids} in iteration order; within a PID, IPv4 prefixes come first. */
    static AltoDto toDto(Map<String, List<Cidr>> pids) {
        AltoDto.Pids dto = new AltoDto.Pids();
        pids.forEach((name, prefixes) -> {
            AltoDto.Pid pid = new AltoDto.Pid();
            pid.name = name;
            pid.size = Integer.toString(prefixes.size());
            for (Cidr c : prefixes) {
                (c.isV4() ? pid.cidr4 : pid.cidr6).add(AltoDto.Named.name(c.toString()));
            }
            dto.pid.add(pid);
        });
        dto.size = Integer.toString(dto.pid.size());
        AltoDto doc = new AltoDto();
        doc.pids.add(dto);
        return doc;
    }

    /**
     * The PIDs of a {@code <pids>} document in document order, each with its prefixes (IPv4 then
     * IPv6, each in document order).
     *
     * @throws AltoException naming the first bad PID name, prefix, size or repeated PID
     */
    static Map<String, List<Cidr>> fromDto(AltoDto doc) {
        AltoDto.Pids dto = one(doc.pids, ROOT);
        checkSize(dto.size, dto.pid.size(), ROOT + ".size");
        Map<String, List<Cidr>> out = new LinkedHashMap<>();
        for (int i = 0; i < dto.pid.size(); i++) {
            AltoDto.Pid pid = dto.pid.get(i);
            String field = at(ROOT, "pid", i);
            String name = Identifiers.pid(required(pid.name, field + ".name"), field + ".name");
            if (out.containsKey(name)) {
                throw new AltoException(AltoError.invalidValue(field + ".name", name, "PID " + name + " appears twice"));
            }
            checkSize(pid.size, pid.cidr4.size() + pid.cidr6.size(), field + ".size");
            List<Cidr> prefixes = new ArrayList<>(pid.cidr4.size() + pid.cidr6.size());
            addPrefixes(pid.cidr4, false, field + ".cidr4", prefixes);
            addPrefixes(pid.cidr6, true, field + ".cidr6", prefixes);
            out.put(name, List.copyOf(prefixes));
        }
        return Collections.unmodifiableMap(out);
    }

    private static void addPrefixes(List<AltoDto.Named> dtos, boolean v6, String field, List<Cidr> into) {
        for (int i = 0; i < dtos.size(); i++) {
            String f = field + "[" + (i + 1) + "].name";
            into.add(Cidr.parse(required(dtos.get(i).name, f), v6, f));
        }
    }
}
