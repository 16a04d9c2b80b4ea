package org.rproxy.overlay.archfixture;

import org.rproxy.push.PushProxy;

/** A forbidden dependency for {@code ArchitectureRulesTest}: the overlay reaching into the push feed. Never run. */
final class OverlayImportingPush {
    PushProxy proxy;
}
