package org.rproxy.core.model;

/** Media types of RFC 7285 §14.1, RFC 8895 §10 and the seed's XML dialect. */
public final class MediaTypes {
    public static final String DIRECTORY = "application/alto-directory+json";
    public static final String NETWORK_MAP = "application/alto-networkmap+json";
    public static final String NETWORK_MAP_FILTER = "application/alto-networkmapfilter+json";
    public static final String COST_MAP = "application/alto-costmap+json";
    public static final String COST_MAP_FILTER = "application/alto-costmapfilter+json";
    public static final String ENDPOINT_PROP = "application/alto-endpointprop+json";
    public static final String ENDPOINT_PROP_PARAMS = "application/alto-endpointpropparams+json";
    public static final String ENDPOINT_COST = "application/alto-endpointcost+json";
    public static final String ENDPOINT_COST_PARAMS = "application/alto-endpointcostparams+json";
    public static final String ERROR = "application/alto-error+json";
    public static final String UPDATE_STREAM_PARAMS = "application/alto-updatestreamparams+json";
    public static final String UPDATE_STREAM_CONTROL = "application/alto-updatestreamcontrol+json";
    public static final String EVENT_STREAM = "text/event-stream";
    /** A server condition's body (a 5xx): its message, no ALTO error resource ({@link AltoError#serverCondition}). */
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String MERGE_PATCH = "application/merge-patch+json";
    /** The seed dialect (draft-penno-alto-protocol-03) is plain XML. */
    public static final String XML = "application/xml";

    private MediaTypes() {
    }
}
