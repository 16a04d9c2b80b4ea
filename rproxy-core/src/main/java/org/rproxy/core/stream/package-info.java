/**
 * The update stream's wire pieces (RFC 8895) shared by the publisher, the push feed and the client
 * library: server-sent events written and parsed, JSON merge patch (RFC 7396), this project's
 * signature event, the tags a subscriber names its version by, the subscriber's end of a stream
 * ({@code StreamFollower}), and {@code UpdateApplier}, which turns one update into a verified
 * representation or a refusal that leaves the held version in place, checking signed fields
 * before any rebuild.
 *
 * <p>Must not own a connection or a thread: callers feed it bytes and keep the state.
 */
package org.rproxy.core.stream;
