package org.rproxy.core.codec.xml;

import static org.rproxy.core.codec.xml.XmlFields.one;
import static org.rproxy.core.codec.xml.XmlFields.required;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.AltoException;

/**
 * Maps {@link AltoError} to and from {@code <error code field value message/>} (reading the
 * message from the element's text too, the front end's form): the RFC 7285
 * §8.5.2 error codes in the XML dialect's own form. The HTTP status is not part of
 * the body; a parsed error gets the code's default status. Stateless.
 */
final class ErrorXml {
    private static final String ROOT = "error";

    private ErrorXml() {
    }

    static AltoDto toDto(AltoError error) {
        AltoDto.Error dto = new AltoDto.Error();
        dto.code = error.code().name();
        dto.field = error.field();
        dto.value = error.value();
        dto.message = error.message();
        AltoDto doc = new AltoDto();
        doc.error.add(dto);
        return doc;
    }

    static AltoError fromDto(AltoDto doc) {
        AltoDto.Error dto = one(doc.error, ROOT);
        String code = required(dto.code, ROOT + ".code");
        for (AltoErrorCode c : AltoErrorCode.values()) {
            if (c.name().equals(code)) {
                String message = dto.message != null ? dto.message
                        : dto.text == null || dto.text.isBlank() ? null : dto.text.trim();
                return AltoError.of(c, dto.field, dto.value, required(message, ROOT + ".message"));
            }
        }
        throw new AltoException(AltoError.invalidValue(ROOT + ".code", code, "not an ALTO error code"));
    }
}
