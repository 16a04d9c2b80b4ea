/**
 * The {@code harness} command ({@code bin/harness}), whose subcommands live in the packages below:
 * {@code topology}, {@code churn}, {@code viewers} and {@code burst} ({@code load}),
 * {@code scenario} and {@code relay} ({@code scenario}), {@code client-heap} ({@code heap}).
 *
 * <p>Load figures come from here, never from timed unit tests. No product module may import the
 * harness.
 */
package org.rproxy.harness;
