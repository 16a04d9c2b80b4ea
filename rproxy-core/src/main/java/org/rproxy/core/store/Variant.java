package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
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
 * <p>A body of {@link #DIRECT_MIN_BYTES} or more is written from one copy in direct memory
 * ({@link #directBody()}), made once (by the store, when it takes the variant) and shared by
 * every response, instead of being copied from the heap into direct memory on every write; the
 * variant's {@link #weight()} counts that copy, so the store's byte bound covers it.
 *
 * @param body            the content, as sent
 * @param contentEncoding {@code null} for identity, {@code "gzip"} for the gzip variant
 * @param headers         header fields to send with it, in order, names lower case
 */
public record Variant(Bytes body, String contentEncoding, List<HeaderField> headers) {
    /**
     * Bodies from this size on get a direct copy. Below it the copy per write is cheap, and
     * Netty's HTTP encoder copies a small body into the buffer of the head anyway.
     */
    public static final int DIRECT_MIN_BYTES = 16 * 1024;

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

    /**
     * This variant as sent {@code age} seconds old: the same body and fields, with an {@code age}
     * field (RFC 9111 §5.1) of that value in place of any it had, last.
     */
    public Variant withAge(long age) {
        List<HeaderField> h = new ArrayList<>(headers.size() + 1);
        for (HeaderField f : headers) {
            if (!f.name().equals("age")) {
                h.add(f);
            }
        }
        h.add(new HeaderField("age", Long.toString(age)));
        return new Variant(body, contentEncoding, h);
    }

    /** The strong entity tag, quotes included, or null when the variant has none. */
    public String etag() {
        return header("etag").orElse(null);
    }

    /** True when the variant carries an origin signature. */
    public boolean signed() {
        return header("signature").isPresent();
    }

    /**
     * The body to write: a read-only view of its direct copy (made on the first call) when the
     * body has {@link #DIRECT_MIN_BYTES} or more, else null (write {@link #body()} itself).
     */
    public ByteBuffer directBody() {
        return hasDirectBody() ? body.directView() : null;
    }

    /** True when the body is large enough to be written from a direct copy. */
    public boolean hasDirectBody() {
        return body.length() >= DIRECT_MIN_BYTES;
    }

    /**
     * Bytes held, for the store's weigher: body (twice when large enough for an off-heap copy: its
     * direct copy, or the file the store spools it to, {@link BodySpool}) plus a rough count for
     * headers.
     */
    public long weight() {
        long w = body.length() + (hasDirectBody() ? body.length() : 0) + 64;
        for (HeaderField h : headers) {
            w += h.name().length() + h.value().length() + 32;
        }
        return w;
    }
}
