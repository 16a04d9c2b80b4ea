package org.rproxy.core.codec.json;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The examples of RFC 7285, as test fixtures. Where the RFC's own example is not valid JSON or
 * contradicts the RFC's grammar, the fix is noted beside it; everything else is as printed.
 */
public final class Rfc7285Examples {

    /** §11.2.1.7: the network map. */
    public static final String NETWORK_MAP = """
            {
              "meta" : {
                "vtag": {
                  "resource-id": "my-default-network-map",
                  "tag": "da65eca2eb7a10ce8b059740b0b2e3f8eb1d4785"
                }
              },
              "network-map" : {
                "PID1" : {
                  "ipv4" : [
                    "192.0.2.0/24",
                    "198.51.100.0/25"
                  ]
                },
                "PID2" : {
                  "ipv4" : [
                    "198.51.100.128/25"
                  ]
                },
                "PID3" : {
                  "ipv4" : [
                    "0.0.0.0/0"
                  ],
                  "ipv6" : [
                    "::/0"
                  ]
                }
              }
            }
            """;

    /** §11.2.3.7: the cost map (no PID3 to PID3 cost: "no cost known"). */
    public static final String COST_MAP = """
            {
              "meta" : {
                "dependent-vtags" : [
                  {"resource-id": "my-default-network-map",
                   "tag": "3ee2cb7e8d63d9fab71b9b34cbf764436315542e"
                  }
                ],
                "cost-type" : {"cost-mode"  : "numerical",
                               "cost-metric": "routingcost"
                }
              },
              "cost-map" : {
                "PID1": { "PID1": 1,  "PID2": 5,  "PID3": 10 },
                "PID2": { "PID1": 5,  "PID2": 1,  "PID3": 15 },
                "PID3": { "PID1": 20, "PID2": 15  }
              }
            }
            """;

    /** §9.2.4 / §9.2.6: the directory (the RFC's stray comma after "capabilities" removed). */
    public static final String DIRECTORY = """
            {
              "meta" : {
                "cost-types": {
                  "num-routing": {
                    "cost-mode"  : "numerical",
                    "cost-metric": "routingcost",
                    "description": "My default"
                  },
                  "num-hop":     {
                    "cost-mode"  : "numerical",
                    "cost-metric": "hopcount"
                  },
                  "ord-routing": {
                    "cost-mode"  : "ordinal",
                    "cost-metric": "routingcost"
                  },
                  "ord-hop":     {
                    "cost-mode"  : "ordinal",
                    "cost-metric": "hopcount"
                  }
                },
                "default-alto-network-map" : "my-default-network-map"
              },
              "resources" : {
                "my-default-network-map" : {
                  "uri" : "http://alto.example.com/networkmap",
                  "media-type" : "application/alto-networkmap+json"
                },
                "numerical-routing-cost-map" : {
                  "uri" : "http://alto.example.com/costmap/num/routingcost",
                  "media-type" : "application/alto-costmap+json",
                  "capabilities" : {
                    "cost-type-names" : [ "num-routing" ]
                  },
                  "uses": [ "my-default-network-map" ]
                },
                "numerical-hopcount-cost-map" : {
                  "uri" : "http://alto.example.com/costmap/num/hopcount",
                  "media-type" : "application/alto-costmap+json",
                  "capabilities" : {
                    "cost-type-names" : [ "num-hop" ]
                  },
                  "uses": [ "my-default-network-map" ]
                },
                "custom-maps-resources" : {
                  "uri" : "http://custom.alto.example.com/maps",
                  "media-type" : "application/alto-directory+json"
                },
                "endpoint-property" : {
                  "uri" : "http://alto.example.com/endpointprop/lookup",
                  "media-type" : "application/alto-endpointprop+json",
                  "accepts" : "application/alto-endpointpropparams+json",
                  "capabilities" : {
                    "prop-types" : [ "my-default-network-map.pid",
                                     "priv:ietf-example-prop" ]
                  }
                },
                "endpoint-cost" : {
                  "uri" : "http://alto.example.com/endpointcost/lookup",
                  "media-type" : "application/alto-endpointcost+json",
                  "accepts" : "application/alto-endpointcostparams+json",
                  "capabilities" : {
                    "cost-constraints" : true,
                    "cost-type-names" : [ "num-routing", "num-hop",
                                          "ord-routing", "ord-hop"]
                  }
                }
              }
            }
            """;

    /** §11.3.1.7: the filtered network map request. */
    public static final String NETWORK_MAP_FILTER = """
            {
              "pids": [ "PID1", "PID2" ]
            }
            """;

    /** §11.3.2.7: the filtered cost map request. */
    public static final String COST_MAP_FILTER = """
            {
              "cost-type" : {"cost-mode": "numerical",
                             "cost-metric": "routingcost"},
              "pids" : {
                "srcs" : [ "PID1" ],
                "dsts" : [ "PID1", "PID2", "PID3" ]
              }
            }
            """;

    /**
     * §11.4.1.7: the endpoint property request. The RFC spells the property
     * "my-default-networkmap.pid", which names no resource of its own directory; fixed here.
     */
    public static final String ENDPOINT_PROPERTY_QUERY = """
            {
              "properties" : [ "my-default-network-map.pid",
                               "priv:ietf-example-prop" ],
              "endpoints" : [ "ipv4:192.0.2.34",
                              "ipv4:203.0.113.129" ]
            }
            """;

    /** §11.4.1.7: the endpoint property response (tag as printed). */
    public static final String ENDPOINT_PROPERTY_ANSWER = """
            {
              "meta" : {
                "dependent-vtags" : [
                  {"resource-id": "my-default-network-map",
                   "tag": "7915dc0290c2705481c491a2b4ffbec482b3cf62"
                  }
                ]
              },
              "endpoint-properties": {
                "ipv4:192.0.2.34"    : { "my-default-network-map.pid": "PID1",
                                         "priv:ietf-example-prop": "1" },
                "ipv4:203.0.113.129" : { "my-default-network-map.pid": "PID3" }
              }
            }
            """;

    /** §11.5.1.7: the endpoint cost request. */
    public static final String ENDPOINT_COST_QUERY = """
            {
              "cost-type": {"cost-mode" : "ordinal",
                            "cost-metric" : "routingcost"},
              "endpoints" : {
                "srcs": [ "ipv4:192.0.2.2" ],
                "dsts": [
                  "ipv4:192.0.2.89",
                  "ipv4:198.51.100.34",
                  "ipv4:203.0.113.45"
                ]
              }
            }
            """;

    /** §11.5.1.7: the endpoint cost response. */
    public static final String ENDPOINT_COST_ANSWER = """
            {
              "meta" : {
                "cost-type": {"cost-mode" : "ordinal",
                              "cost-metric" : "routingcost"
                }
              },
              "endpoint-cost-map" : {
                "ipv4:192.0.2.2": {
                  "ipv4:192.0.2.89"    : 1,
                  "ipv4:198.51.100.34" : 2,
                  "ipv4:203.0.113.45"  : 3
                }
              }
            }
            """;

    private Rfc7285Examples() {
    }

    public static JsonNode json(String text) {
        return AltoJson.parse(text.getBytes(StandardCharsets.UTF_8));
    }
}
