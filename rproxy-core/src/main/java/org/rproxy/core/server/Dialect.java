package org.rproxy.core.server;

/** The two wire forms served: RFC 7285 JSON, and the seed's XML (draft-penno-alto-protocol-03). */
public enum Dialect {
    JSON,
    XML;

    /**
     * The dialect of a path as origins and proxies serve it: the seed's XML paths
     * ({@code /capability}, {@code /prop/...}, {@code /cost/...}) and RFC 7285 JSON everywhere else.
     */
    public static Dialect ofPath(String path) {
        return path.equals("/capability") || path.equals("/prop") || path.startsWith("/prop/")
                || path.startsWith("/cost/") ? XML : JSON;
    }
}
