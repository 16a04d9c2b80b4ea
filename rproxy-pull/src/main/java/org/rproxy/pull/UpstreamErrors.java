package org.rproxy.pull;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.upstream.UpstreamResponse;

/**
 * Reads the ALTO error in an upstream's 4xx answer (RFC 7285 §8.5.2, or the XML dialect's form),
 * so that the client gets the same code, field and message with the same status. An error body
 * that cannot be read becomes a plain error with the upstream's status. Runs on worker threads.
 */
final class UpstreamErrors {
    private final XmlCodec xml = new XmlCodec();

    AltoError of(UpstreamResponse r) {
        AltoError parsed = null;
        String type = r.header("content-type");
        try {
            if (type != null && type.contains("json")) {
                parsed = AltoJson.readError(AltoJson.parse(r.body().unsafeArray()));
            } else if (type != null && type.contains("xml")) {
                parsed = xml(r);
            }
        } catch (RuntimeException e) {
            parsed = null;
        }
        int status = r.status() >= 400 && r.status() <= 499 ? r.status() : 400;
        if (parsed == null) {
            return new AltoError(AltoErrorCode.E_INVALID_FIELD_VALUE, null, null,
                    "upstream answered " + r.status(), status);
        }
        return parsed.withStatus(status);
    }

    /** The XML dialect's error, as the codec reads it (attribute or element-text message). */
    private AltoError xml(UpstreamResponse r) {
        return xml.parseError(r.body());
    }
}
