package org.rproxy.core.codec.json;

import static org.rproxy.core.codec.json.JsonFields.index;
import static org.rproxy.core.codec.json.JsonFields.path;
import static org.rproxy.core.codec.json.JsonValues.NODES;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.model.Directory;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.model.OverlayInfo;

/**
 * This project's directory extension {@code meta.alto-redist}
 * ({@code {"keys":[JWK...],"proxies":["http://..."],"overlay":{...}}}): the origin's public keys as
 * JSON Web Keys (RFC 7517, RFC 8037 for Ed25519), the URLs of known RProxies, and optionally how
 * to find the documents in a P2P overlay ({@link OverlayInfo}). RFC 7285 §8.3.7 lets
 * clients that do not know the member ignore it. Stateless; any thread.
 */
final class RedistJson {
    static final String MEMBER = "alto-redist";
    private static final String PATH = "meta/" + MEMBER;

    /** What the extension holds; both lists empty when it is absent. */
    record Redist(List<Jwk> keys, List<String> proxies, OverlayInfo overlay) {
        static final Redist NONE = new Redist(List.of(), List.of(), null);
    }

    private RedistJson() {
    }

    static Redist read(ObjectNode o) {
        if (o == null) {
            return Redist.NONE;
        }
        ArrayNode keys = JsonFields.optionalArray(o, PATH, "keys");
        List<Jwk> jwks = new ArrayList<>();
        if (keys != null) {
            for (int i = 0; i < keys.size(); i++) {
                String p = index(path(PATH, "keys"), i);
                jwks.add(readJwk(JsonFields.asObject(keys.get(i), p), p));
            }
        }
        ArrayNode proxies = JsonFields.optionalArray(o, PATH, "proxies");
        List<String> urls = proxies == null ? List.of() : DirectoryJson.strings(proxies, path(PATH, "proxies"));
        for (int i = 0; i < urls.size(); i++) {
            checkUrl(urls.get(i), index(path(PATH, "proxies"), i));
        }
        ObjectNode overlay = JsonFields.optionalObject(o, PATH, "overlay");
        return new Redist(jwks, urls, overlay == null ? null : readOverlay(overlay, path(PATH, "overlay")));
    }

    private static OverlayInfo readOverlay(ObjectNode o, String p) {
        String protocol = JsonFields.string(o, p, "protocol");
        String naming = JsonFields.string(o, p, "naming");
        ArrayNode bootstrap = JsonFields.optionalArray(o, p, "bootstrap");
        ArrayNode publishers = JsonFields.optionalArray(o, p, "publishers");
        List<String> nodes = bootstrap == null ? List.of() : DirectoryJson.strings(bootstrap, path(p, "bootstrap"));
        List<String> keys = publishers == null ? List.of() : DirectoryJson.strings(publishers, path(p, "publishers"));
        try {
            return new OverlayInfo(protocol, nodes, keys, naming);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf(':');
            throw JsonFields.invalid(path(p, m.substring(0, Math.max(colon, 0))), null, m.substring(colon + 1).trim());
        }
    }

    private static Jwk readJwk(ObjectNode o, String p) {
        String kty = JsonFields.string(o, p, "kty");
        String crv = JsonFields.string(o, p, "crv");
        String x = JsonFields.string(o, p, "x");
        String y = JsonFields.optionalString(o, p, "y");
        if ("EC".equals(kty) && y == null) {
            throw JsonFields.invalid(path(p, "y"), null, "an EC key needs the y coordinate");
        }
        String kid = JsonFields.string(o, p, "kid");
        String alg = JsonFields.string(o, p, "alg");
        return new Jwk(kty, crv, x, y, kid, alg);
    }

    private static void checkUrl(String url, String p) {
        if (!Directory.isProxyUrl(url)) {
            throw JsonFields.invalid(p, url, "proxy URL must be an absolute http or https URL");
        }
    }

    static ObjectNode write(List<Jwk> keys, List<String> proxies, OverlayInfo overlay) {
        ObjectNode o = NODES.objectNode();
        ArrayNode k = o.putArray("keys");
        keys.forEach(jwk -> k.add(writeJwk(jwk)));
        o.set("proxies", DirectoryJson.writeStrings(proxies));
        if (overlay != null) {
            ObjectNode v = o.putObject("overlay");
            v.put("protocol", overlay.protocol());
            v.set("bootstrap", DirectoryJson.writeStrings(overlay.bootstrap()));
            v.set("publishers", DirectoryJson.writeStrings(overlay.publishers()));
            v.put("naming", overlay.naming());
        }
        return o;
    }

    private static ObjectNode writeJwk(Jwk jwk) {
        ObjectNode o = NODES.objectNode();
        o.put("kty", jwk.kty());
        o.put("crv", jwk.crv());
        o.put("x", jwk.x());
        if (jwk.y() != null) {
            o.put("y", jwk.y());
        }
        o.put("kid", jwk.kid());
        o.put("alg", jwk.alg());
        return o;
    }
}
