package org.rproxy.core.server;

import java.nio.charset.StandardCharsets;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.MediaTypes;

/**
 * The front end's error bodies: an {@link AltoError} in the dialect of the path, written by the
 * codec of that dialect ({@link AltoJson#writeError}, RFC 7285 §8.5.2; {@link XmlCodec#errorText},
 * the seed's form), so what is served and what the codecs write and read back are one thing; a
 * server condition (a 5xx, {@link AltoError#serverCondition}) as its message in plain text, in
 * either dialect, since it carries no ALTO error code.
 * Stateless; any thread.
 */
final class ErrorResponses {

    private ErrorResponses() {
    }

    static String contentType(AltoError error, Dialect dialect) {
        if (error.isServerCondition()) {
            return MediaTypes.TEXT;
        }
        return dialect == Dialect.XML ? MediaTypes.XML : MediaTypes.ERROR;
    }

    static byte[] body(AltoError error, Dialect dialect) {
        if (error.isServerCondition()) {
            // one line: a message may quote what a client sent
            return (error.message().replaceAll("\\p{Cntrl}", " ") + "\n").getBytes(StandardCharsets.UTF_8);
        }
        String text = dialect == Dialect.XML ? XmlCodec.errorText(error) : AltoJson.writeError(error);
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
