/**
 * Signatures and digests ({@code ARCHITECTURE.md} §4): the origin's RFC 9421 signing of a
 * response ({@code ResponseSigner}, {@code SigningKey} with low-s ECDSA), RFC 9530
 * {@code Content-Digest}, the {@code alto-resource} field, entity tags, and the verifier every
 * node and client uses ({@code ResponseVerifier}, {@code FieldsVerdict}) against a key set that
 * follows the origin's directory ({@code TrustedKeys}), with the one rollback rule
 * ({@code RollbackRule}). A {@code VerifiedRepresentation} can be made only here, so holding one
 * proves a verification.
 *
 * <p>Must not fetch, store or serve: a verdict is about bytes and fields handed in. A signing is
 * compared by its signature base, never by the signature's bytes.
 */
package org.rproxy.core.sign;
