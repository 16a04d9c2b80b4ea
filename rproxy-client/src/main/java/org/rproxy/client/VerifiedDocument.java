package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.Representation;

/**
 * A document the client fetched and verified: the origin's signature holds over its bytes, it
 * answers the path asked for, it has not expired, and it is not older than any version the
 * client held before.
 *
 * @param target         the request target asked for ({@code /networkmap/default-network-map})
 * @param source         the URL it came from (a proxy's or the origin's)
 * @param representation the verified bytes and their signed header fields
 * @param refused        the sources tried before, each with why it was not used
 */
public record VerifiedDocument(String target, URI source, Representation representation,
                               List<ClientException> refused) {
    public VerifiedDocument {
        requireNonNull(target, "target");
        requireNonNull(source, "source");
        requireNonNull(representation, "representation");
        refused = List.copyOf(refused);
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
}
