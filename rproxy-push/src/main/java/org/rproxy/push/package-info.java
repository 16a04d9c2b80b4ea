/**
 * The update stream (RFC 8895) in both directions: {@code UpdatePublisher}, the stream every node
 * serves (one thread owns every document and subscription; subscribers bounded by their window and
 * together by {@code PendingBudget}), and {@code PushFeed}, which follows an upstream's stream,
 * applies and verifies each update ({@code UpdateReceiver}), chooses among upstreams and moves back
 * to a preferred one only once its stream has proved itself ({@code StreamTrial}).
 * {@code PushProxy} is the push half alone.
 *
 * <p>Stands on core alone: imports no other feed, the client, the overlay or the app
 * ({@code ARCHITECTURE.md} §7.1); the app composes it with the pull feed. Nothing is parsed,
 * patched or verified on an event loop; POSTs go only to a control URI on the stream's own
 * origin ({@code StreamControl}).
 */
package org.rproxy.push;
