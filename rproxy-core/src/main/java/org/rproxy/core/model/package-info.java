/**
 * The ALTO model (RFC 7285 and the seed's documents) as plain immutable values: network and cost
 * maps, the directory, endpoint properties, addresses and prefixes, version tags, keys as JWKs, and
 * the {@code AltoError} every refusal is worded in. Each value checks itself when built, so a value
 * that exists is valid, and the longest-prefix index ({@code PrefixIndex}) lives here because every
 * role answers from it.
 *
 * <p>Must not know how values are encoded, signed, stored or sent: no codec, no Jackson, no Netty,
 * no signatures, no store, no front end ({@code ARCHITECTURE.md} §7.4, checked by
 * {@code ArchitectureTest}). Every other package builds on this one.
 */
package org.rproxy.core.model;
