package org.rproxy.core.answer;

import java.util.List;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.server.AltoRequest;

/** Checks of a query request's parameters, media type and body, shared by both dialects. */
final class QueryParams {

    private QueryParams() {
    }

    /** The body of a JSON query, once its parameters and media type are checked; the query reads it. */
    static byte[] json(AltoRequest req, String accepts) {
        only(req);
        if (!accepts.equals(req.contentType())) {
            throw new AltoException(AltoError.invalidValue("content-type", req.contentType(),
                    "expected " + accepts).withStatus(415));
        }
        return req.body().unsafeArray();
    }

    static void requireXml(AltoRequest req) {
        String t = req.contentType();
        if (!MediaTypes.XML.equals(t) && !"text/xml".equals(t)) {
            throw new AltoException(AltoError.invalidValue("content-type", t, "expected application/xml").withStatus(415));
        }
    }

    /** Refuses query parameters other than {@code allowed}, naming the first one. */
    static void only(AltoRequest req, String... allowed) {
        for (String name : req.query().keySet()) {
            if (!List.of(allowed).contains(name)) {
                throw new AltoException(AltoError.invalidValue(name, req.param(name),
                        "unsupported query parameter " + name + (allowed.length == 0 ? "" : " (accepted: " + String.join(", ", allowed) + ")")));
            }
        }
        if (allowed.length == 1 && !req.query().containsKey(allowed[0]) && !"POST".equals(req.method())) {
            throw new AltoException(AltoError.missingField(allowed[0]));
        }
    }

    static AltoException unsupported(AltoRequest req) {
        String name = req.query().keySet().stream().sorted().findFirst().orElse("uri");
        return new AltoException(AltoError.invalidValue(name, req.param(name),
                "this combination of query parameters is not served; see the directory or capability"));
    }
}
