package org.rproxy.pull;

import org.rproxy.core.server.Dialect;

/**
 * The dialect of a path, as the origin serves them: the seed's XML paths ({@code /capability},
 * {@code /prop/...}, {@code /cost/...}) and RFC 7285 JSON everywhere else. Decides the form of the
 * errors the proxy writes itself. Stateless.
 */
final class Dialects {

    private Dialects() {
    }

    static Dialect of(String path) {
        return Dialect.ofPath(path);
    }
}
