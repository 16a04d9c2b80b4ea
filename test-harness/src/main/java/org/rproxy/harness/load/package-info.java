/**
 * The load generator: {@code harness viewers} (many simulated viewers fetching and verifying
 * documents and queries from a node over HTTP/1.1 or HTTP/2, with a verdict cache so that
 * thousands of copies of one signing are verified once) and {@code harness burst}, with the
 * latency statistics and origin request counts a run reports.
 *
 * <p>Every run is bounded in count and time; what it checks ({@code --verify}: all, a sample or
 * none) it counts and reports, a failed verification never passing unseen.
 */
package org.rproxy.harness.load;
