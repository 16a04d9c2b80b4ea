package org.rproxy.core.codec.xml;

import static org.rproxy.core.codec.xml.XmlFields.at;
import static org.rproxy.core.codec.xml.XmlFields.checkCount;
import static org.rproxy.core.codec.xml.XmlFields.checkSize;
import static org.rproxy.core.codec.xml.XmlFields.one;
import static org.rproxy.core.codec.xml.XmlFields.required;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.IpAddress;

/**
 * Maps the seed's "Endpoint PID Query" to and from {@code <endpoints>}: the request lists
 * endpoints ({@code <endpoint name/>}), the answer adds each one's PID ({@code <endpoint name
 * pid/>}). The seed names the query but not its form; this form is ours. Stateless.
 */
final class EndpointsXml {
    private static final String ROOT = "endpoints";

    private EndpointsXml() {
    }

    static AltoDto requestToDto(List<IpAddress> endpoints) {
        AltoDto.Endpoints dto = new AltoDto.Endpoints();
        endpoints.forEach(a -> dto.endpoint.add(AltoDto.Named.name(a.toTyped())));
        return wrap(dto);
    }

    static AltoDto answerToDto(List<EndpointPid> answer) {
        AltoDto.Endpoints dto = new AltoDto.Endpoints();
        for (EndpointPid e : answer) {
            AltoDto.Named n = AltoDto.Named.name(e.endpoint().toTyped());
            n.pid = e.pid();
            dto.endpoint.add(n);
        }
        dto.size = Integer.toString(dto.endpoint.size());
        return wrap(dto);
    }

    private static AltoDto wrap(AltoDto.Endpoints dto) {
        AltoDto doc = new AltoDto();
        doc.endpoints.add(dto);
        return doc;
    }

    /**
     * The endpoints of a lookup request, duplicates removed (first kept).
     *
     * @throws AltoException when there is no endpoint, more than {@code max}, or a bad address
     */
    static List<IpAddress> requestFromDto(AltoDto doc, int max) {
        AltoDto.Endpoints dto = one(doc.endpoints, ROOT);
        checkCount(dto.endpoint.size(), max, ROOT + ".endpoint");
        checkSize(dto.size, dto.endpoint.size(), ROOT + ".size");
        Set<IpAddress> out = new LinkedHashSet<>();
        for (int i = 0; i < dto.endpoint.size(); i++) {
            String f = at(ROOT, "endpoint", i) + ".name";
            out.add(IpAddress.parseTyped(required(dto.endpoint.get(i).name, f), f));
        }
        return List.copyOf(out);
    }

    /**
     * The lines of a lookup answer, in document order.
     *
     * @throws AltoException on a bad address or PID, an endpoint listed twice, or a wrong size
     */
    static List<EndpointPid> answerFromDto(AltoDto doc) {
        AltoDto.Endpoints dto = one(doc.endpoints, ROOT);
        checkSize(dto.size, dto.endpoint.size(), ROOT + ".size");
        List<EndpointPid> out = new ArrayList<>(dto.endpoint.size());
        Set<IpAddress> seen = new HashSet<>();
        for (int i = 0; i < dto.endpoint.size(); i++) {
            AltoDto.Named n = dto.endpoint.get(i);
            String f = at(ROOT, "endpoint", i);
            IpAddress a = IpAddress.parseTyped(required(n.name, f + ".name"), f + ".name");
            if (!seen.add(a)) {
                throw new AltoException(AltoError.invalidValue(f + ".name", n.name, n.name + " appears twice"));
            }
            String pid = n.pid == null ? null : Identifiers.pid(n.pid, f + ".pid");
            out.add(new EndpointPid(a, pid));
        }
        return List.copyOf(out);
    }
}
