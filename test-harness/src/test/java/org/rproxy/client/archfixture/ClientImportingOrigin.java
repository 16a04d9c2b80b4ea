package org.rproxy.client.archfixture;

import org.rproxy.origin.Origin;

/**
 * A forbidden dependency for {@code ArchitectureRulesTest}: the client library, which app vendors
 * embed, reaching into the origin. Never run.
 */
final class ClientImportingOrigin {
    Origin origin;
}
