/**
 * The RFC 7285 JSON codec: every document (directory with its {@code meta.alto-redist} extension,
 * network map, cost map, endpoint properties, error) between bytes and {@code core.model} values,
 * and the query request bodies, read with Jackson's streaming parser where size matters (a cost
 * map's costs go straight into the model's compact table). Untrusted input is refused with an
 * {@code AltoException} naming the member at fault by its path, never with a Jackson exception or
 * a half-built value.
 *
 * <p>Must not sign, verify or serve: callers decide what the bytes are for. Output meant to be
 * signed goes through {@code core.codec}'s canonical writer.
 */
package org.rproxy.core.codec.json;
