package org.rproxy.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One entry of the information resource directory (RFC 7285 §9.2.2).
 *
 * @param id                 resource id
 * @param uri                where it is served (absolute path on this server, or absolute URI)
 * @param mediaType          media type of its responses
 * @param accepts            media type of its request body (POST resources), else null
 * @param costTypeNames      capability {@code cost-type-names}, empty when not applicable
 * @param propTypes          capability {@code prop-types}, empty when not applicable
 * @param costConstraints    capability {@code cost-constraints}, or null when not stated
 * @param incrementalChangeMediaTypes RFC 8895 capability: resource id to comma-separated types
 * @param supportStreamControl RFC 8895 capability, or null when not stated
 * @param uses               resource ids this resource depends on
 */
public record InformationResource(String id, String uri, String mediaType, String accepts,
                                  List<String> costTypeNames, List<String> propTypes, Boolean costConstraints,
                                  Map<String, String> incrementalChangeMediaTypes, Boolean supportStreamControl,
                                  List<String> uses) {
    public InformationResource {
        Identifiers.resourceId(id, "resources");
        requireNonNull(uri, "uri");
        requireNonNull(mediaType, "mediaType");
        costTypeNames = costTypeNames == null ? List.of() : List.copyOf(costTypeNames);
        propTypes = propTypes == null ? List.of() : List.copyOf(propTypes);
        incrementalChangeMediaTypes = incrementalChangeMediaTypes == null ? Map.of() : Map.copyOf(incrementalChangeMediaTypes);
        uses = uses == null ? List.of() : List.copyOf(uses);
    }

    /** A GET resource with no capabilities (network map, directory). */
    public static InformationResource simple(String id, String uri, String mediaType, List<String> uses) {
        return new InformationResource(id, uri, mediaType, null, null, null, null, null, null, uses);
    }
}
