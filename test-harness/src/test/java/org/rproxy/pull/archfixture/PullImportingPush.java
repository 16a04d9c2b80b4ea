package org.rproxy.pull.archfixture;

import java.time.Instant;
import java.util.Random;

import org.rproxy.push.PushProxy;

/**
 * Forbidden dependencies for {@code ArchitectureRulesTest}: the pull feed reaching into push, and
 * reading the wall clock and making its own randomness instead of having them injected. Never run.
 */
final class PullImportingPush {
    PushProxy proxy;

    long jitteredNow() {
        return Instant.now().toEpochMilli() + new Random().nextInt(10);
    }
}
