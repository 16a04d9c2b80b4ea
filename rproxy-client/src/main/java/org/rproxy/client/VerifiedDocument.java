package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.rproxy.core.store.Representation;

/**
 * A document the client fetched and verified: the origin's signature holds over its bytes, it
 * answers the path asked for, it has not expired, and it is not older than any version the
 * client held before. Only the client makes one (its constructor is not public), so holding one
 * means it was checked. What it gives is in the JDK's types: the body exactly as signed (never
 * content-coded: the client asks for and keeps the identity coding only), its media type, entity
 * tag and signature times, and the signed header fields it came with. Immutable; equal when the
 * target, source, signed fields, body and refusals are.
 */
public final class VerifiedDocument {
    private final String target;
    private final URI source;
    private final Representation representation;
    private final List<ClientException> refused;

    /**
     * @param target         the request target asked for ({@code /networkmap/default-network-map})
     * @param source         the URL it came from (a proxy's or the origin's)
     * @param representation the verified bytes and their signed header fields
     * @param refused        the sources tried before, each with why it was not used
     */
    VerifiedDocument(String target, URI source, Representation representation, List<ClientException> refused) {
        this.target = requireNonNull(target, "target");
        this.source = requireNonNull(source, "source");
        this.representation = requireNonNull(representation, "representation");
        this.refused = List.copyOf(refused);
    }

    /** {@return the request target asked for, in normal form ({@code /networkmap/default-network-map})} */
    public String target() {
        return target;
    }

    /** {@return the URL it came from (a proxy's, the origin's, or an overlay's)} */
    public URI source() {
        return source;
    }

    /** {@return the sources tried before, each with why it was not used} */
    public List<ClientException> refused() {
        return refused;
    }

    /**
     * {@return the body exactly as signed, as a read-only view (no copy is made, however large the
     * document): position 0, {@code remaining()} its length} Each call gives a view of its own.
     */
    public ByteBuffer body() {
        byte[] bytes = representation.identity().body().unsafeArray();
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** {@return the body exactly as signed, to read from (for a JSON parser, say); no copy is made} */
    public InputStream bodyStream() {
        return new ByteArrayInputStream(representation.identity().body().unsafeArray());
    }

    /** {@return the body's length in bytes} */
    public int length() {
        return representation.identity().body().length();
    }

    /** {@return the signature's {@code created}} */
    public Instant created() {
        return representation.created();
    }

    /** {@return the signature's {@code expires}: past it the document must not be used} */
    public Instant expires() {
        return representation.expires();
    }

    /** {@return the entity tag it was served with (the version, quoted as sent)} */
    public String etag() {
        return representation.identity().etag();
    }

    /** {@return its media type ({@code application/alto-costmap+json}, ...), as signed} */
    public String contentType() {
        return representation.identity().header("content-type").orElse(null);
    }

    /**
     * {@return a header field it came with that the client keeps, by name (any case): the signed ones
     * ({@code content-type}, {@code content-digest}, {@code etag}, {@code alto-resource}) and the
     * signature's own ({@code signature-input}, {@code signature}); empty for any other}
     *
     * @param name the field's name, in any case
     */
    public Optional<String> field(String name) {
        return representation.identity().header(requireNonNull(name, "name").toLowerCase(Locale.ROOT));
    }

    /** The verified bytes and their signed fields, for the client's own use (held, answered from, served in tests). */
    Representation representation() {
        return representation;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifiedDocument d && target.equals(d.target) && source.equals(d.source)
                && representation.equals(d.representation) && refused.equals(d.refused);
    }

    @Override
    public int hashCode() {
        return Objects.hash(target, source, representation, refused);
    }

    /** The target, where it came from, and its {@code created}. */
    @Override
    public String toString() {
        return "VerifiedDocument[" + target + " from " + source + ", created " + created() + "]";
    }
}
