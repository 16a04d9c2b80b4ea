/**
 * Query requests and the computations over one set of maps that answer them: filtered network and
 * cost maps, endpoint properties and endpoint costs (RFC 7285 §11.3 to §11.5), the seed's ranking,
 * the choice of cost map for a cost type, ordinal ranks, and the limits on how much work one query
 * may ask ({@code QueryLimits}). {@code QueryPool} is the bounded pool they run on, which sheds
 * new queries with {@code 503} once its oldest has waited too long.
 *
 * <p>Pure computation on {@code core.model} values: nothing here runs on an event loop, reads the
 * network or knows whether its maps came from the origin's catalog, a proxy or the client
 * library; {@code core.answer} routes requests to it.
 */
package org.rproxy.core.query;
