package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

import org.rproxy.core.model.Bytes;

/**
 * One ready-to-write variant of a representation: the body exactly as it goes on the wire
 * (gzip-compressed for the gzip variant) and the header fields that go with it, including
 * the signed ones ({@code content-type}, {@code content-digest}, {@code etag},
 * {@code alto-resource}, {@code signature-input}, {@code signature}) when it is signed.
 * Immutable. Built once when a document arrives; the front end only writes it.
 *
 * @param body            the content, as sent
 * @param contentEncoding {@code null} for identity, {@code "gzip"} for the gzip variant
 * @param headers         header fields to send with it, in order, names lower case
 */
public record Variant(Bytes body, String contentEncoding, List<HeaderField> headers) {
    public Variant {
        requireNonNull(body, "body");
        headers = List.copyOf(headers);
    }

    /** The value of the first header named {@code name} (lower case). */
    public Optional<String> header(String name) {
        for (HeaderField h : headers) {
            if (h.name().equals(name)) {
                return Optional.of(h.value());
            }
        }
        return Optional.empty();
    }

    /** The strong entity tag, quotes included, or null when the variant has none. */
    public String etag() {
        return header("etag").orElse(null);
    }

    /** True when the variant carries an origin signature. */
    public boolean signed() {
        return header("signature").isPresent();
    }

    /** Bytes held, for the store's weigher: body plus a rough count for headers. */
    public long weight() {
        long w = body.length() + 64;
        for (HeaderField h : headers) {
            w += h.name().length() + h.value().length() + 32;
        }
        return w;
    }
}
