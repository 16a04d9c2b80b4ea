/**
 * The seed's XML dialect (draft-penno-alto-protocol-03, root {@code <alto>}): capability,
 * network map, cost map, ranking request and answer, endpoint PID lookups and errors, bound with
 * Jackson XML through one configured {@code XmlBinder}, which {@code XmlCodec} loads only when XML
 * is first used (so the client library pays for it only if it reads XML). Elements and attributes
 * are held to the dialect's namespaces, and every refusal names the field as a dotted path.
 *
 * <p>Must not sign, verify or serve, nor grow a second model: it maps to and from
 * {@code core.model} values as the JSON codec does.
 */
package org.rproxy.core.codec.xml;
