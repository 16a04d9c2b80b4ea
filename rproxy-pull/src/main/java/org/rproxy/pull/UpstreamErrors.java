package org.rproxy.pull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

/**
 * Reads the ALTO error in an upstream's 4xx answer (RFC 7285 §8.5.2, or the XML dialect's form),
 * so that the client gets the same code, field and message with the same status. An error body
 * that cannot be read becomes a plain error with the upstream's status. Runs on worker threads.
 */
final class UpstreamErrors {
    private static final int MAX_XML_ERROR = 16 * 1024;
    private static final Pattern ELEMENT = Pattern.compile("<error(\\s[^>]*)>([^<]*)</error>");
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

    /**
     * The XML dialect's error. The front end writes the message as the element's text while
     * {@link XmlCodec#parseError} reads a {@code message} attribute, so the element form is read
     * here when the codec refuses it.
     */
    private AltoError xml(UpstreamResponse r) {
        try {
            return xml.parseError(r.body());
        } catch (RuntimeException e) {
            if (r.body().length() > MAX_XML_ERROR) {
                throw e;
            }
        }
        String text = r.body().asUtf8();
        Matcher m = ELEMENT.matcher(text);
        if (!m.find()) {
            return null;
        }
        AltoErrorCode code = AltoErrorCode.valueOf(attribute(m.group(1), "code"));
        return AltoError.of(code, attribute(m.group(1), "field"), attribute(m.group(1), "value"), unescape(m.group(2)));
    }

    private static String attribute(String attributes, String name) {
        Matcher m = Pattern.compile("\\b" + name + "=\"([^\"]*)\"").matcher(attributes);
        return m.find() ? unescape(m.group(1)) : null;
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#9;", "\t")
                .replace("&#10;", "\n").replace("&#13;", "\r").replace("&amp;", "&");
    }
}
