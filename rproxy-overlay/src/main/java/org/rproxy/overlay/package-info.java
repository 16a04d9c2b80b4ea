/**
 * The P2P overlay: {@code OverlayPublisher} turns each verified document a proxy holds into a
 * signed bundle seeded as a BitTorrent torrent, with one BEP 44 pointer per resource in the
 * mainline DHT ({@code Pointer}), renewed on a timer; {@code OverlayClient} is the client
 * library's {@code OverlaySource}, which looks pointers up and fetches bundles. bt and mldht run
 * the protocols; the DHT lookups and stores, and the bounds on what strangers may store on a
 * peer's node ({@code GuardedDht}, {@code StoreLimits}), are ours.
 *
 * <p>Imports only core and the client ({@code ARCHITECTURE.md} §7.3), and no Netty. Seeds only
 * what was verified, and trusts nothing fetched until the client verifies it.
 */
package org.rproxy.overlay;
