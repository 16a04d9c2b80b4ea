package org.rproxy.core.answer;

/**
 * The request targets of the URL space every origin publishes and every proxy and client
 * relies on: the directory, the capability, the RFC 7285 query resources, and the seed
 * dialect's documents and queries (draft-penno-alto-protocol). Full maps live at
 * {@code /networkmap/<id>} and {@code /costmap/<id>}, their filtered forms below them.
 */
public final class ResourcePaths {
    public static final String DIRECTORY_PATH = "/directory";
    /**
     * The resource id the origin signs its directory under (its {@code Alto-Resource}): the name a
     * stream's event and an overlay's pointer give it, as they give a map its directory's id.
     */
    public static final String DIRECTORY_ID = "directory";
    public static final String CAPABILITY_PATH = "/capability";
    public static final String XML_NETWORK_MAP_PATH = "/prop/pid";
    public static final String XML_COST_MAP_PATH = "/cost/map";
    public static final String XML_LOOKUP_PATH = "/prop/pid/lookup";
    public static final String XML_COST_ROW_PATH = "/cost/row";
    public static final String XML_RANKING_PATH = "/cost/m";
    public static final String ENDPOINT_PROP_PATH = "/endpointprop";
    public static final String ENDPOINT_COST_PATH = "/endpointcost";
    /** The XML dialect's default cost type (the seed's {@code GET /cost/map}). */
    public static final String DEFAULT_METRIC = "routingcost";
    /** Resource id of the update stream in the directory, when one is mounted. */
    public static final String UPDATE_STREAM_ID = "update-stream";

    private ResourcePaths() {
    }
}
