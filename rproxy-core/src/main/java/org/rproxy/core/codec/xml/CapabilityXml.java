package org.rproxy.core.codec.xml;

import static org.rproxy.core.codec.xml.XmlFields.at;
import static org.rproxy.core.codec.xml.XmlFields.one;
import static org.rproxy.core.codec.xml.XmlFields.optional;
import static org.rproxy.core.codec.xml.XmlFields.required;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.Identifiers;
import org.rproxy.core.model.Jwk;

/**
 * Maps {@link Capability} to and from {@code <configuration>} (draft-penno-alto-protocol-03,
 * "Retrieve Server Capability"), with our {@code <keys>} and {@code <proxies>} extension. On
 * reading, the extension is optional (the seed's own example has none). Stateless.
 */
final class CapabilityXml {
    private static final String ROOT = "configuration";

    private CapabilityXml() {
    }

    static AltoDto toDto(Capability c) {
        AltoDto.Configuration conf = new AltoDto.Configuration();
        conf.instanceName = c.instanceName();
        conf.altoServer.add(AltoDto.Named.uri(c.serverUri()));
        for (Capability.Cost cost : c.costs()) {
            AltoDto.Cost dto = new AltoDto.Cost();
            dto.type = cost.metric();
            dto.units = cost.units();
            dto.mode = cost.mode() == null ? null : cost.mode().wireName();
            conf.cost.add(dto);
        }
        AltoDto.Named support = new AltoDto.Named();
        support.value = Boolean.toString(c.constraintSupport());
        conf.constraintSupport.add(support);
        conf.keys = c.keys().stream().map(CapabilityXml::keyDto).toList();
        conf.proxies = c.proxies().stream().map(AltoDto.Named::uri).toList();
        AltoDto doc = new AltoDto();
        doc.configuration.add(conf);
        return doc;
    }

    private static AltoDto.Key keyDto(Jwk k) {
        AltoDto.Key dto = new AltoDto.Key();
        dto.kid = k.kid();
        dto.kty = k.kty();
        dto.crv = k.crv();
        dto.x = k.x();
        dto.y = k.y();
        dto.alg = k.alg();
        return dto;
    }

    static Capability fromDto(AltoDto doc) {
        AltoDto.Configuration conf = one(doc.configuration, ROOT);
        String name = required(conf.instanceName, ROOT + ".instance-name");
        if (name.isEmpty()) {
            throw new AltoException(AltoError.invalidValue(ROOT + ".instance-name", name, "must not be empty"));
        }
        AltoDto.Named server = one(conf.altoServer, ROOT + ".alto-server");
        String serverUri = httpUri(server.uri, ROOT + ".alto-server.uri");
        List<Capability.Cost> costs = new ArrayList<>();
        for (int i = 0; i < conf.cost.size(); i++) {
            costs.add(cost(conf.cost.get(i), at(ROOT, "cost", i)));
        }
        AltoDto.Named support = optional(conf.constraintSupport, ROOT + ".constraint-support");
        boolean constraints = support != null && bool(support.value, ROOT + ".constraint-support.value");
        List<Jwk> keys = new ArrayList<>();
        List<AltoDto.Key> keyDtos = conf.keys == null ? List.of() : conf.keys;
        for (int i = 0; i < keyDtos.size(); i++) {
            keys.add(key(keyDtos.get(i), at(ROOT + ".keys", "key", i)));
        }
        List<String> proxies = new ArrayList<>();
        List<AltoDto.Named> proxyDtos = conf.proxies == null ? List.of() : conf.proxies;
        for (int i = 0; i < proxyDtos.size(); i++) {
            proxies.add(httpUri(proxyDtos.get(i).uri, at(ROOT + ".proxies", "proxy", i) + ".uri"));
        }
        return new Capability(name, serverUri, costs, constraints, keys, proxies);
    }

    private static Capability.Cost cost(AltoDto.Cost dto, String field) {
        String metric = Identifiers.costMetric(required(dto.type, field + ".type"), field + ".type");
        CostMode mode = dto.mode == null ? null : CostMode.parse(dto.mode, field + ".mode");
        return new Capability.Cost(metric, dto.units, mode);
    }

    private static Jwk key(AltoDto.Key dto, String field) {
        String kty = required(dto.kty, field + ".kty");
        if ("EC".equals(kty)) {
            required(dto.y, field + ".y");
        }
        return new Jwk(kty, required(dto.crv, field + ".crv"), required(dto.x, field + ".x"), dto.y,
                required(dto.kid, field + ".kid"), required(dto.alg, field + ".alg"));
    }

    private static boolean bool(String value, String field) {
        return switch (required(value, field)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new AltoException(AltoError.invalidValue(field, value, "must be true or false"));
        };
    }

    /** An absolute http or https URI: anything else could not be fetched by a client. */
    private static String httpUri(String value, String field) {
        required(value, field);
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && uri.getHost() != null) {
                return value;
            }
        } catch (URISyntaxException e) {
            // Reported below, with the field name.
        }
        throw new AltoException(AltoError.invalidValue(field, value, "must be an absolute http or https URI"));
    }
}
