/**
 * The client library for application vendors: {@code AltoClient} bootstraps from the origin,
 * ranks and falls back among sources, verifies every document against a pinned key, refuses
 * rollback, follows update streams (or polls), and answers queries locally from verified maps;
 * it asks an {@code OverlaySource} first when given one. Configured by {@code ClientOptions}.
 *
 * <p>The public API takes and gives only the JDK's types and this package's own, never a core type
 * (checked by {@code PublicApiTest}), with {@code OverlaySource} the one seam. Imports only core
 * ({@code ARCHITECTURE.md} §7.3) and no Netty; what it loads is pinned by
 * {@code ClientFootprintTest}.
 */
package org.rproxy.client;
