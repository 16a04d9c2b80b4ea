package org.rproxy.core.server;

/** The two wire forms served: RFC 7285 JSON, and the seed's XML (draft-penno-alto-protocol-03). */
public enum Dialect {
    JSON,
    XML
}
