/**
 * The two feeds that sign: the file origin, which reads a maps folder ({@code MapsFolder}, within
 * {@code MapsLimits}) and watches it, and the signing front, which polls an unsigned RFC 7285 server
 * ({@code SourcePolls}, {@code UpstreamDocuments}). Both build the URL space ({@code Catalog}),
 * prepare and sign each document ({@code DocumentSigner}, {@code SigningTimes}), re-sign at half
 * the validity, publish key rotations read from the keys file ({@code OriginKeys}), and serve the
 * current signed version ({@code SignedVersions}, {@code OriginService}) with its update stream.
 *
 * <p>Stands on core alone: imports no other feed, the client, the overlay or the app, and touches
 * no Netty type ({@code ARCHITECTURE.md} §7). Background work runs under {@code TaskGuard}; the
 * event loop only looks up what was signed.
 */
package org.rproxy.origin;
