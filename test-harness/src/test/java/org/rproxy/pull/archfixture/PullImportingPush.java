package org.rproxy.pull.archfixture;

import org.rproxy.push.PushProxy;

/** A forbidden import for {@code ArchitectureRulesTest}: the pull feed reaching into push. Never run. */
final class PullImportingPush {
    PushProxy proxy;
}
