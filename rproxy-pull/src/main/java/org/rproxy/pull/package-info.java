/**
 * The pull feed and the pull proxy: fetch a document on first request, verify it
 * ({@code Admission}) before the store sees it, hold it ({@code CachedCopies} in a
 * {@code RepresentationStore}), refresh it ahead of {@code max-age}, fall back among upstreams
 * ({@code FailoverUpstream}), keep rollback floors ({@code RollbackFloors}), answer queries locally
 * from held maps ({@code CurrentAnswers}) or forward them, and take copies verified elsewhere
 * ({@code PullProxy#offer}).
 *
 * <p>Stands on core alone: imports no other feed, the client, the overlay or the app
 * ({@code ARCHITECTURE.md} §7.1). Verification and body digests run on {@code rproxy-pull-work},
 * never on an event loop; a hit answers on the event loop by a lookup.
 */
package org.rproxy.pull;
