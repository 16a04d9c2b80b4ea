/**
 * Logging shared by every role: {@link org.rproxy.core.log.RateLimitedLog} writes a kind of
 * warning at most once per interval and counts the ones held back, for faults that may hit every
 * request, connection, peer or upstream attempt (the front end, the pull feed's misses, the
 * verifier's own bugs, the overlay's refusals). It stands apart from the front end so that the
 * feeds and the overlay use it without reaching into {@code core.server}.
 *
 * <p>Called on event loops, so it must not block; it remembers a bounded number of subjects, so
 * what clients choose cannot grow it; its intervals are read from a nanosecond source (injected
 * in tests), never from the wall clock, whose steps would stretch or cut them short.
 */
package org.rproxy.core.log;
