package org.rproxy.core.server;

import java.nio.charset.StandardCharsets;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;

/**
 * The front end's error bodies: an {@link AltoError} in the dialect of the path, written by the
 * codec of that dialect ({@link AltoJson#writeError}, RFC 7285 §8.5.2; {@link XmlCodec#errorText},
 * the seed's form), so what is served and what the codecs write and read back are one thing.
 * Stateless; any thread.
 */
final class ErrorResponses {

    private ErrorResponses() {
    }

    static String contentType(Dialect dialect) {
        return dialect == Dialect.XML ? MediaTypes.XML : MediaTypes.ERROR;
    }

    static byte[] body(AltoError error, Dialect dialect) {
        String text = dialect == Dialect.XML ? XmlCodec.errorText(error) : AltoJson.writeError(error);
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
