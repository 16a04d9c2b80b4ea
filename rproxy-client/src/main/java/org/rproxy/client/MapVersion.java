package org.rproxy.client;

import static java.util.Objects.requireNonNull;

/**
 * The version of a map answers are computed from ({@link LocalAnswers#versions()}): its resource
 * id and its tag (RFC 7285 §10.3, the {@code vtag} of the map the origin signed).
 *
 * @param resourceId the map's resource id ({@code default-network-map}, ...)
 * @param tag        the version's tag
 */
public record MapVersion(String resourceId, String tag) {
    /**
     * Both parts are required.
     *
     * @param resourceId the map's resource id ({@code default-network-map}, ...)
     * @param tag        the version's tag
     */
    public MapVersion {
        requireNonNull(resourceId, "resourceId");
        requireNonNull(tag, "tag");
    }
}
