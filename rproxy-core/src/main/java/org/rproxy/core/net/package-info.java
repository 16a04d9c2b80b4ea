/**
 * Networking pieces that need no Netty, so that the client library can use them: host name
 * lookups off the threads that may not wait ({@code NameLookups}, the shared {@code rproxy-lookup-N}
 * threads), and the one wording of a failed connection or exchange ({@code TransportFailures}) for
 * the client library, {@code rproxy fetch} and the push feed.
 *
 * <p>Must not import Netty ({@code ARCHITECTURE.md} §7.5); messages never name an exception
 * class.
 */
package org.rproxy.core.net;
