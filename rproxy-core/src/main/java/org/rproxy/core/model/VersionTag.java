package org.rproxy.core.model;

/**
 * An RFC 7285 §10.3 version tag ("vtag"): the resource id and the tag of one version of it.
 *
 * @param resourceId the information resource this version belongs to
 * @param tag        opaque version tag, 1-64 printable ASCII characters
 */
public record VersionTag(String resourceId, String tag) {
    public VersionTag {
        Identifiers.resourceId(resourceId, "vtag/resource-id");
        Identifiers.tag(tag, "vtag/tag");
    }
}
