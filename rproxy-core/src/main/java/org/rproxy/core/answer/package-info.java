/**
 * The answer engine ({@code ARCHITECTURE.md} §3.4): routes a query or a computed GET to its
 * computation over one version of the node's holdings ({@code Holdings}: the origin's catalog, or
 * the signed documents a proxy or client received and verified), the same code at the origin, at
 * proxies and in the client library. A {@code ComputedAnswer} is unsigned and names the signed
 * documents it came from in {@code Alto-Derived-From}.
 *
 * <p>Must not sign or verify (a computed answer gets a digest and an ETag, never a signature): it
 * takes holdings that were verified already, and says which
 * sources an answer needs so that the caller can revalidate them. Must not run on an event loop;
 * callers hand it to a query pool.
 */
package org.rproxy.core.answer;
