package org.rproxy.core.answer;

/**
 * What a request target is, for answering it: a full document or the directory (GET), a seed
 * query (GET or POST by its kind), or an RFC 7285 query resource (POST), and so which methods it
 * accepts. The same routes at the origin and wherever answers are computed from holdings.
 */
public enum Route {
    DIRECTORY(true, false), CAPABILITY(true, false), NETWORK_MAP(true, false), COST_MAP(true, false),
    XML_PIDS(true, false), XML_LOOKUP(true, true), XML_COST_MAP(true, false), XML_COST_ROW(true, false),
    XML_RANKING(false, true), FILTERED_NETWORK_MAP(false, true), FILTERED_COST_MAP(false, true),
    ENDPOINT_PROP(false, true), ENDPOINT_COST(false, true);

    private final boolean get;
    private final boolean post;

    Route(boolean get, boolean post) {
        this.get = get;
        this.post = post;
    }

    /** The {@code Allow} header of a path with this route. */
    public String allowHeader() {
        return get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : "POST";
    }

    /** The methods allowed, in words, for an error message. */
    public String allowed() {
        return get && post ? "GET, HEAD and POST" : get ? "GET and HEAD" : "POST";
    }

    /** The network map a filtered route's path names ({@code /networkmap/<id>/filtered}), else null. */
    public String networkMapOf(String path) {
        return this == FILTERED_NETWORK_MAP || this == FILTERED_COST_MAP ? path.split("/", -1)[2] : null;
    }

    /** The route of {@code path}, or null (404). */
    public static Route of(String path, Answers q) {
        switch (path) {
            case ResourcePaths.DIRECTORY_PATH: return DIRECTORY;
            case ResourcePaths.CAPABILITY_PATH: return CAPABILITY;
            case ResourcePaths.XML_NETWORK_MAP_PATH: return XML_PIDS;
            case ResourcePaths.XML_LOOKUP_PATH: return XML_LOOKUP;
            case ResourcePaths.XML_COST_MAP_PATH: return XML_COST_MAP;
            case ResourcePaths.XML_COST_ROW_PATH: return XML_COST_ROW;
            case ResourcePaths.XML_RANKING_PATH: return XML_RANKING;
            case ResourcePaths.ENDPOINT_PROP_PATH: return ENDPOINT_PROP;
            case ResourcePaths.ENDPOINT_COST_PATH: return ENDPOINT_COST;
            default: break;
        }
        String[] seg = path.split("/", -1);
        if (seg.length == 3 && seg[0].isEmpty() && q.hasNetworkMap(seg[2]) && seg[1].equals("networkmap")) {
            return NETWORK_MAP;
        }
        if (seg.length == 3 && seg[0].isEmpty() && seg[1].equals("costmap") && q.hasCostMap(seg[2])) {
            return COST_MAP;
        }
        if (seg.length == 4 && seg[0].isEmpty() && seg[3].equals("filtered") && q.hasNetworkMap(seg[2])) {
            if (seg[1].equals("networkmap")) {
                return FILTERED_NETWORK_MAP;
            }
            if (seg[1].equals("costmap")) {
                return FILTERED_COST_MAP;
            }
        }
        return null;
    }

    /** True when a GET (or HEAD) of a path with this route is answered. */
    public boolean get() {
        return get;
    }

    /** True when a POST to a path with this route is answered. */
    public boolean post() {
        return post;
    }
}
