package org.rproxy.origin.archfixture;

import org.rproxy.pull.PullProxy;

/** A forbidden dependency for {@code ArchitectureRulesTest}: the signing feed reaching into the pull feed. Never run. */
final class OriginImportingPull {
    PullProxy proxy;
}
