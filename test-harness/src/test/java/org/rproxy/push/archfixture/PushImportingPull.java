package org.rproxy.push.archfixture;

import org.rproxy.pull.PullProxy;

/** A forbidden import for {@code ArchitectureRulesTest}: the push feed reaching into pull. Never run. */
final class PushImportingPull {
    PullProxy proxy;
}
