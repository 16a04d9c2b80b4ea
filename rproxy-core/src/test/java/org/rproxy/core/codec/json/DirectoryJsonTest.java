package org.rproxy.core.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.core.codec.json.AltoAssertions.assertAltoError;
import static org.rproxy.core.codec.json.Rfc7285Examples.DIRECTORY;
import static org.rproxy.core.codec.json.Rfc7285Examples.json;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.InformationResource;
import org.rproxy.core.model.Jwk;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.model.OverlayInfo;

class DirectoryJsonTest {
    private static final Jwk ED25519 = new Jwk("OKP", "Ed25519", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            null, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "ed25519");
    private static final Jwk P256 = new Jwk("EC", "P-256", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "thumb-2", "ecdsa-p256-sha256");

    @Test
    void readsTheRfcExample() {
        Directory dir = AltoJson.readDirectory(json(DIRECTORY));

        assertEquals(new CostType("routingcost", CostMode.NUMERICAL, "My default"), dir.costTypes().get("num-routing"));
        assertEquals(new CostType("hopcount", CostMode.ORDINAL), dir.costTypes().get("ord-hop"));
        assertEquals("my-default-network-map", dir.defaultNetworkMap());
        assertEquals(6, dir.resources().size());
        InformationResource ecs = dir.resources().get("endpoint-cost");
        assertEquals(MediaTypes.ENDPOINT_COST_PARAMS, ecs.accepts());
        assertEquals(Boolean.TRUE, ecs.costConstraints());
        assertEquals(List.of("num-routing", "num-hop", "ord-routing", "ord-hop"), ecs.costTypeNames());
        assertEquals(List.of("my-default-network-map.pid", "priv:ietf-example-prop"),
                dir.resources().get("endpoint-property").propTypes());
        assertEquals(List.of("my-default-network-map"), dir.resources().get("numerical-hopcount-cost-map").uses());
        assertTrue(dir.keys().isEmpty());
        assertTrue(dir.proxies().isEmpty());
    }

    @Test
    void writesTheRfcExampleBack() {
        assertEquals(json(DIRECTORY), AltoJson.writeDirectory(AltoJson.readDirectory(json(DIRECTORY))));
    }

    @Test
    void readsTheRedistributionExtension() {
        Directory dir = AltoJson.readDirectory(json("""
                {"meta": {"alto-redist": {
                   "keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                             "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "alg": "ed25519", "use": "sig"}],
                   "proxies": ["http://edge-1.isp.example:8080", "https://regional.isp.example/"]}},
                 "resources": {}}
                """));

        assertEquals(List.of(ED25519), dir.keys());
        assertEquals(List.of("http://edge-1.isp.example:8080", "https://regional.isp.example/"), dir.proxies());
        assertNull(dir.defaultNetworkMap());
    }

    @Test
    void roundTripsEveryCapabilityAndTheExtension() {
        Map<String, InformationResource> resources = Map.of(
                "net", InformationResource.simple("net", "/networkmap", MediaTypes.NETWORK_MAP, null),
                "cost", new InformationResource("cost", "/costmap/filtered", MediaTypes.COST_MAP,
                        MediaTypes.COST_MAP_FILTER, List.of("num", "ord"), null, false, null, null, List.of("net")),
                "props", new InformationResource("props", "/endpointprop", MediaTypes.ENDPOINT_PROP,
                        MediaTypes.ENDPOINT_PROP_PARAMS, null, List.of("net.pid"), null, null, null, List.of("net")),
                "updates", new InformationResource("updates", "/updates", MediaTypes.EVENT_STREAM,
                        MediaTypes.UPDATE_STREAM_PARAMS, null, null, null,
                        Map.of("net", MediaTypes.MERGE_PATCH, "cost", MediaTypes.MERGE_PATCH + "," + MediaTypes.COST_MAP),
                        true, List.of("net", "cost")));
        Directory dir = new Directory(
                Map.of("num", new CostType("routingcost", CostMode.NUMERICAL, "routing cost"),
                        "ord", new CostType("routingcost", CostMode.ORDINAL)),
                "net", resources, List.of(ED25519, P256), List.of("https://proxy.example/alto"));

        assertEquals(dir, AltoJson.readDirectory(AltoJson.writeDirectory(dir)));
    }

    @Test
    void roundTripsTheOverlayDescription() {
        OverlayInfo overlay = new OverlayInfo(OverlayInfo.BITTORRENT_DHT, List.of("203.0.113.9:6881", "[2001:db8::1]:6881"),
                List.of("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"), OverlayInfo.SALT_RESOURCE_ID);
        Directory dir = new Directory(Map.of(), null, Map.of(), List.of(ED25519), List.of(), overlay);

        Directory back = AltoJson.readDirectory(AltoJson.writeDirectory(dir));

        assertEquals(dir, back);
        assertEquals(overlay, back.overlay());
    }

    @Test
    void aDirectoryWithoutTheOverlayReadsAsBefore() {
        Directory dir = AltoJson.readDirectory(json(DIRECTORY));
        assertNull(dir.overlay());
        assertFalse(AltoJson.writeDirectory(dir).path("meta").path("alto-redist").has("overlay"));
    }

    @Test
    void omitsAnEmptyExtension() {
        Directory dir = AltoJson.readDirectory(json(DIRECTORY));
        assertFalse(AltoJson.writeDirectory(dir).get("meta").has("alto-redist"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "resources missing        | {}                                                          | E_MISSING_FIELD       | resources",
        "uri missing              | {'resources': {'r': {'media-type': 'm'}}}                   | E_MISSING_FIELD       | resources/r/uri",
        "uri empty                | {'resources': {'r': {'uri': '', 'media-type': 'm'}}}        | E_INVALID_FIELD_VALUE | resources/r/uri",
        "media type is a number   | {'resources': {'r': {'uri': '/r', 'media-type': 5}}}        | E_INVALID_FIELD_TYPE  | resources/r/media-type",
        "bad resource id          | {'resources': {'r r': {'uri': '/r', 'media-type': 'm'}}}    | E_INVALID_FIELD_VALUE | resources/r r",
        "uses an unknown resource | {'resources': {'r': {'uri': '/r', 'media-type': 'm', 'uses': ['nope']}}} | E_INVALID_FIELD_VALUE | resources/r/uses[0]",
        "uses is a string         | {'resources': {'r': {'uri': '/r', 'media-type': 'm', 'uses': 'r'}}}      | E_INVALID_FIELD_TYPE  | resources/r/uses",
        "capabilities an array    | {'resources': {'r': {'uri': '/r', 'media-type': 'm', 'capabilities': []}}} | E_INVALID_FIELD_TYPE | resources/r/capabilities",
        "undefined cost type name | {'meta': {'cost-types': {'a': {'cost-mode': 'ordinal', 'cost-metric': 'hopcount'}}}, 'resources': {'r': {'uri': '/r', 'media-type': 'm', 'capabilities': {'cost-type-names': ['a', 'b']}}}} | E_INVALID_FIELD_VALUE | resources/r/capabilities/cost-type-names[1]",
        "constraints not boolean  | {'resources': {'r': {'uri': '/r', 'media-type': 'm', 'capabilities': {'cost-constraints': 'yes'}}}} | E_INVALID_FIELD_TYPE | resources/r/capabilities/cost-constraints",
        "prop type not a string   | {'resources': {'r': {'uri': '/r', 'media-type': 'm', 'capabilities': {'prop-types': [1]}}}} | E_INVALID_FIELD_TYPE | resources/r/capabilities/prop-types[0]",
        "bad cost type            | {'meta': {'cost-types': {'a': {'cost-mode': 'best', 'cost-metric': 'hopcount'}}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/cost-types/a/cost-mode",
        "unknown default map      | {'meta': {'default-alto-network-map': 'nope'}, 'resources': {}}  | E_INVALID_FIELD_VALUE | meta/default-alto-network-map",
        "proxy URL not absolute   | {'meta': {'alto-redist': {'proxies': ['edge-1:8080']}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/alto-redist/proxies[0]",
        "proxy URL is ftp         | {'meta': {'alto-redist': {'proxies': ['https://a.example', 'ftp://b.example/']}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/alto-redist/proxies[1]",
        "key without kid          | {'meta': {'alto-redist': {'keys': [{'kty': 'OKP', 'crv': 'Ed25519', 'x': 'AA', 'alg': 'ed25519'}]}}, 'resources': {}} | E_MISSING_FIELD | meta/alto-redist/keys[0]/kid",
        "EC key without y         | {'meta': {'alto-redist': {'keys': [{'kty': 'EC', 'crv': 'P-256', 'x': 'AA', 'kid': 'k', 'alg': 'ecdsa-p256-sha256'}]}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/alto-redist/keys[0]/y",
        "one kid listed twice     | {'meta': {'alto-redist': {'keys': [{'kty': 'OKP', 'crv': 'Ed25519', 'x': 'AA', 'kid': 'k', 'alg': 'ed25519'}, {'kty': 'OKP', 'crv': 'Ed25519', 'x': 'BB', 'kid': 'k', 'alg': 'ed25519'}]}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/alto-redist/keys[1]/kid",
        "one key listed twice     | {'meta': {'alto-redist': {'keys': [{'kty': 'OKP', 'crv': 'Ed25519', 'x': 'AA', 'kid': 'k', 'alg': 'ed25519'}, {'kty': 'OKP', 'crv': 'Ed25519', 'x': 'CC', 'kid': 'j', 'alg': 'ed25519'}, {'kty': 'OKP', 'crv': 'Ed25519', 'x': 'AA', 'kid': 'k', 'alg': 'ed25519'}]}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/alto-redist/keys[2]/kid",
        "keys is an object        | {'meta': {'alto-redist': {'keys': {}}}, 'resources': {}}        | E_INVALID_FIELD_TYPE  | meta/alto-redist/keys",
        "overlay without protocol | {'meta': {'alto-redist': {'overlay': {'naming': 'n'}}}, 'resources': {}} | E_MISSING_FIELD | meta/alto-redist/overlay/protocol",
        "overlay key not hex      | {'meta': {'alto-redist': {'overlay': {'protocol': 'p', 'naming': 'n', 'publishers': ['xyz']}}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/alto-redist/overlay/publishers",
        "overlay node no port     | {'meta': {'alto-redist': {'overlay': {'protocol': 'p', 'naming': 'n', 'bootstrap': ['h']}}}, 'resources': {}} | E_INVALID_FIELD_VALUE | meta/alto-redist/overlay/bootstrap",
    })
    void reportsTheFieldAtFault(String name, String doc, AltoErrorCode code, String field) {
        assertAltoError(code, field, () -> AltoJson.readDirectory(json(doc.replace('\'', '"'))));
    }
}
