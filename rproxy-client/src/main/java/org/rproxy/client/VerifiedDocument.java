package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.Representation;

/**
 * A document the client fetched and verified: the origin's signature holds over its bytes, it
 * answers the path asked for, it has not expired, and it is not older than any version the
 * client held before. Only the client makes one (its constructor is not public), so holding one
 * means it was checked. Immutable; equal when its four parts are.
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

    /** The request target asked for, in normal form ({@code /networkmap/default-network-map}). */
    public String target() {
        return target;
    }

    /** The URL it came from (a proxy's, the origin's, or an overlay's). */
    public URI source() {
        return source;
    }

    /** The verified bytes and their signed header fields. */
    public Representation representation() {
        return representation;
    }

    /** The sources tried before, each with why it was not used. */
    public List<ClientException> refused() {
        return refused;
    }

    /** The body exactly as signed. */
    public Bytes body() {
        return representation.identity().body();
    }

    /** The signature's {@code created}. */
    public Instant created() {
        return representation.created();
    }

    /** The signature's {@code expires}: past it the document must not be used. */
    public Instant expires() {
        return representation.expires();
    }

    /** The entity tag it was served with. */
    public String etag() {
        return representation.identity().etag();
    }

    /** Its media type. */
    public String contentType() {
        return representation.identity().header("content-type").orElse(null);
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
