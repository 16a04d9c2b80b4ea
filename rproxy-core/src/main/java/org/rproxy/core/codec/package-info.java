/**
 * The byte forms every role shares below the document level: RFC 8785 canonical JSON
 * ({@code Jcs}, {@code CanonicalJsonWriter}, with ECMAScript number text), the strict UTF-8 check
 * run before Jackson reads anything, the one {@code E_SYNTAX} wording for unreadable JSON, and the
 * one deterministic gzip of a document's gzip variant. The canonical bytes are what the origin signs
 * and what a push proxy rebuilds after a merge patch, so two implementations of them must never
 * exist.
 *
 * <p>Documents themselves are read and written in {@code codec.json} and {@code codec.xml}. Must
 * not depend on signatures, the store or the network.
 */
package org.rproxy.core.codec;
