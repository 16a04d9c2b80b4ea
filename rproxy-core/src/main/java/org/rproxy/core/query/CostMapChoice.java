package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Optional;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;

/**
 * Which cost map a query answer of a given cost type is computed from, among the cost maps of
 * one network map: the one rule for the filtered cost map, endpoint costs and the seed's ranking
 * (and so for every node's and the client library's local answers, which run this code).
 *
 * <ol>
 *   <li>The map of exactly the cost type asked (metric and mode).</li>
 *   <li>Else, for an ordinal request, the numerical map of the metric, ranked
 *       ({@link OrdinalCosts}).</li>
 * </ol>
 *
 * <p>So an ordinal answer comes from the origin's ordinal map when it publishes one. RFC 7285
 * §6.1.2.2 makes ordinal costs a ranking, and an ordinal cost map the origin publishes is its own
 * ranking of that metric, which need not be the order of its numbers (a policy preference, or a
 * map from another source); a filtered cost map is a subset of the full map of the cost type
 * asked (§11.3.2), so a filtered ordinal map must show the published ordinal map's ranks, and
 * endpoint costs and rankings follow the same map so that the three never rank one pair of PIDs
 * two ways. Ranking the numerical map is the fallback when no ordinal map is published. Ties
 * (two maps of one cost type, which the maps folder refuses) go to the lowest resource id, so
 * the choice never depends on iteration order. Pure function; any thread.
 */
public final class CostMapChoice {

    private CostMapChoice() {
    }

    /**
     * The map answers of cost type {@code asked} are computed from, or empty when none of
     * {@code maps} can answer it.
     *
     * @param maps the cost maps of one network map
     */
    public static Optional<CostMap> of(Collection<CostMap> maps, CostType asked) {
        requireNonNull(maps, "maps");
        requireNonNull(asked, "asked");
        CostMap exact = null;
        CostMap ranked = null;
        for (CostMap c : maps) {
            if (c.costType().sameAs(asked)) {
                exact = lower(exact, c);
            } else if (asked.mode() == CostMode.ORDINAL && CostMapFiltering.answers(c.costType(), asked)) {
                ranked = lower(ranked, c);
            }
        }
        return Optional.ofNullable(exact != null ? exact : ranked);
    }

    /**
     * The refusal of a request for cost type {@code asked} that none of {@code maps} answers
     * ({@link #of} empty), naming the member at fault as RFC 7285 §8.5.2 asks of a subfield (its
     * full path, and its value as sent): the metric when no map has it, else the mode (a metric
     * published ordinal only, asked numerical). The cost type as a whole would leave a client to
     * guess which of its members to change, with a value it never sent ({@code latency/numerical}).
     *
     * @param metricField the request's name of the metric ({@code cost-type/cost-metric}; the
     *                    seed's ranking: {@code type})
     * @param modeField   the request's name of the mode ({@code cost-type/cost-mode}; {@code mode})
     * @param netmap      the network map the maps depend on, for the message
     */
    public static AltoException refusal(Collection<CostMap> maps, CostType asked, String metricField, String modeField,
                                        String netmap) {
        requireNonNull(maps, "maps");
        requireNonNull(asked, "asked");
        boolean metricKnown = maps.stream().anyMatch(c -> c.costType().metric().equals(asked.metric()));
        if (!metricKnown) {
            return new AltoException(AltoError.invalidValue(metricField, asked.metric(),
                    "no cost map of metric " + asked.metric() + " for network map " + netmap));
        }
        return new AltoException(AltoError.invalidValue(modeField, asked.mode().wireName(),
                "no cost map of metric " + asked.metric() + " answers cost mode " + asked.mode().wireName()
                        + " for network map " + netmap));
    }

    private static CostMap lower(CostMap found, CostMap c) {
        return found == null || c.vtag().resourceId().compareTo(found.vtag().resourceId()) < 0 ? c : found;
    }
}
