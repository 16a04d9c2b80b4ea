/**
 * The HTTP/1.1 client towards an upstream (the origin or another proxy) that the pull feed and the
 * signing front read through: a small pool of keep-alive connections per upstream, one request at
 * a time on each, every exchange finished exactly once (answer, failure, deadline, closed
 * connection), bodies copied off the network buffers into one bounded array, host names looked up
 * off the event loop ({@code NameLookup}).
 *
 * <p>Must not verify or interpret what it receives: an {@code UpstreamResponse} is bytes and
 * fields for the feed to judge. Never blocks its event loop.
 */
package org.rproxy.core.upstream;
