package org.rproxy.core.testing;

import reactor.blockhound.BlockHound;

/**
 * How {@link BlockingGuard} installs BlockHound: the integrations on the class path (Netty's,
 * which marks every Netty thread that does not permit blocking calls as non-blocking and allows
 * Netty's own bounded calls), every blocking call recorded instead of thrown, and the calls the
 * project accepts on an event loop, each allowed as narrowly as it can be (one method) and each
 * with the reason it is bounded.
 */
final class BlockingAllowances {

    static void install() {
        BlockHound.Builder builder = BlockHound.builder().loadIntegrations();
        builder.blockingMethodCallback(method -> BlockingGuard.record(method.toString()));
        builder.install();
    }

    private BlockingAllowances() {
    }
}
