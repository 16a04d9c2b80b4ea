package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One response header field, its name in lower case (HTTP/2 style, and the form RFC 9421
 * component identifiers use).
 */
public record HeaderField(String name, String value) {
    public HeaderField {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        name = name.toLowerCase(Locale.ROOT);
    }
}
