package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.IpAddress;
import org.rproxy.core.model.PrefixIndex;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.query.EndpointCostLookup;
import org.rproxy.core.query.EndpointCostQuery;
import org.rproxy.core.query.OrdinalCosts;

/**
 * Answers computed on the client from the verified maps it holds, with the origin's own query
 * code (the answer engine and its endpoint cost lookup), so they are exactly what the origin
 * would answer for that version: an endpoint's PID (longest-prefix match on the default network
 * map), the cost between two endpoints (the cost between their PIDs), and a ranking of candidate
 * peers for a source, cheapest first (a peer in the source's own PID first when the map gives no
 * cost within a PID), and the costs between PIDs ({@link #costs}, a filtered cost map). Endpoints are IP literals ({@code 192.0.2.1}, {@code 2001:db8::1}) or
 * RFC 7285 typed addresses ({@code ipv4:192.0.2.1}). Immutable and safe for any number of threads.
 *
 * <p><b>A snapshot of one version of the maps.</b> An instance answers from the maps the client held
 * when it was made, and goes on doing so when the client takes newer ones (a follower's update,
 * another {@link AltoClient#refreshMaps()}): it never changes under its caller, so a ranking and a
 * cost asked of it are of one version ({@link #versions()}). An application that keeps one for
 * longer than one piece of work answers from old maps: for the newest, ask the client each time,
 * {@link AltoClient#answers()} (it fetches and computes nothing), or keep the instance a follower's
 * listener is handed last ({@link UpdateFollower.Listener#changed}).
 *
 * <p>The answers are good until the signatures of the maps they come from expire ({@link
 * #validUntil()}; a renewal of the same maps, polled or followed, moves it on). Past it they are
 * not given: a source that keeps every refresh from arriving must not freeze a client on old
 * maps for longer than the origin signed them for. The exception then says whether the client
 * holds newer maps (take {@link AltoClient#answers()}) or none (refresh them).
 *
 * <p>It takes and gives the JDK's types and the client's own ({@link CostType}, {@link
 * RankedEndpoint}, {@link MapVersion}), never core's, so an application is not tied to the
 * library's insides.
 */
public final class LocalAnswers {
    /** The cost type used when none is given: numerical routing cost (RFC 7285 §6.1.1.1). */
    public static final CostType ROUTING_COST = CostType.numerical("routingcost");

    private final AnswerEngine maps;
    private final EndpointCostLookup costs;
    private final PrefixIndex pids;
    private final Supplier<Instant> validUntil;
    /** The client's answers now, to name them when these have expired (null before any, or these). */
    private final Supplier<LocalAnswers> held;
    private final Clock clock;
    /** The ordinal view of each numerical map asked for one ({@link #costs}), by resource id: made once. */
    private final Map<String, CostMap> ordinalViews = new ConcurrentHashMap<>();

    /**
     * @param validUntil when the held signatures of the maps these answers come from expire
     * @param held       the client's answers now
     */
    LocalAnswers(AnswerEngine maps, Supplier<Instant> validUntil, Supplier<LocalAnswers> held, Clock clock) {
        this.maps = requireNonNull(maps, "maps");
        this.validUntil = requireNonNull(validUntil, "validUntil");
        this.held = requireNonNull(held, "held");
        this.clock = requireNonNull(clock, "clock");
        this.costs = maps.endpointCosts();
        if (costs == null || maps.maps() == null) {
            throw new IllegalArgumentException("maps: no default network map with its cost maps held");
        }
        this.pids = maps.maps().defaultMap().index();
    }

    /**
     * {@return when these answers stop being given: the earliest expiry of the signatures held for
     * the maps they come from}
     */
    public Instant validUntil() {
        return validUntil.get();
    }

    /**
     * {@return the PID of {@code endpoint} in the default network map, or empty when no prefix holds it}
     *
     * @param endpoint an IP address ({@code 192.0.2.1}, {@code ipv4:192.0.2.1}, ...)
     * @throws IllegalArgumentException for an endpoint that is no address (a host name is not looked up)
     * @throws IllegalStateException    past {@link #validUntil()}
     */
    public Optional<String> pid(String endpoint) {
        requireCurrent();
        return pids.pidOf(address(endpoint, "endpoint"));
    }

    /**
     * {@return the routing cost from {@code src} to {@code dst}, or empty when the maps give none
     * (also for two endpoints in one PID when the cost map has no cost within that PID, as the
     * origin's {@code /endpointcost} leaves such a pair out; {@link #rank} ranks them at cost 0)}
     *
     * @param src the source's IP address
     * @param dst the destination's IP address
     * @throws IllegalArgumentException for an endpoint that is no address
     * @throws IllegalStateException    past {@link #validUntil()}
     */
    public OptionalDouble cost(String src, String dst) {
        return cost(src, dst, ROUTING_COST);
    }

    /**
     * {@return the cost of {@code type} from {@code src} to {@code dst}, or empty when the maps give
     * none, exactly as the origin's {@code /endpointcost} answers this pair (a pair within one PID
     * that the cost map gives no cost for is left out there, and empty here)} For an ordinal type it
     * is a rank, as the origin's {@code /endpointcost} answers it for this one pair (RFC 7285
     * §11.5.1.7 ranks the destinations asked, from 1): 1 whenever a cost is known;
     * {@link #rank(String, List, CostType)} ranks several.
     *
     * @param src  the source's IP address
     * @param dst  the destination's IP address
     * @param type the cost type
     * @throws IllegalArgumentException for an endpoint that is no address, or no cost map of that type
     * @throws IllegalStateException    past {@link #validUntil()}
     */
    public OptionalDouble cost(String src, String dst, CostType type) {
        IpAddress from = address(src, "src");
        IpAddress to = address(dst, "dst");
        requireCurrent();
        try {
            // the origin's own /endpointcost computation, not rank's: no same-PID cost is made up
            Map<String, Double> row = costs.lookup(new EndpointCostQuery(requireNonNull(type, "type").toCore(), List.of(),
                    List.of(from), List.of(to))).costs().get(from.toTyped());
            Double cost = row == null ? null : row.get(to.toTyped());
            return cost == null ? OptionalDouble.empty() : OptionalDouble.of(cost);
        } catch (AltoException e) {
            throw new IllegalArgumentException(e.error().message(), e);
        }
    }

    /**
     * {@code candidates} ranked by routing cost from {@code src}, cheapest first; see
     * {@link #rank(String, List, CostType)}.
     *
     * @param src        the source's IP address
     * @param candidates the destinations' IP addresses
     * @return the candidates with a known cost, cheapest first
     * @throws IllegalArgumentException for an endpoint that is no address
     * @throws IllegalStateException    past {@link #validUntil()}
     */
    public List<RankedEndpoint> rank(String src, List<String> candidates) {
        return rank(src, candidates, ROUTING_COST);
    }

    /**
     * {@code candidates} ranked by cost of {@code type} from {@code src}, cheapest first, each with
     * its cost, dense rank and index in {@code candidates} ({@code candidates.get(r.index())} is the
     * candidate as passed; {@code endpoint()} is its address in typed form, {@code ipv4:...});
     * a candidate passed twice counts once, and candidates with no known cost are left out. The map ranked from is
     * the one the origin's answers use ({@link org.rproxy.core.query.CostMapChoice}: the map of
     * exactly that cost type, else for an ordinal type the numerical map of its metric). For an
     * ordinal type the cost is the rank among the candidates, the ordinal cost the origin's
     * {@code /endpointcost} (and the seed's {@code /cost/m?mode=ordinal}) gives each of them,
     * never a number of the map: neither a numerical map's cost nor a published ordinal map's
     * own rank, which ranks against the whole map (RFC 7285 §6.1.2.2).
     *
     * @param src        the source's IP address
     * @param candidates the destinations' IP addresses
     * @param type       the cost type to rank by
     * @return the candidates with a known cost, cheapest first
     * @throws IllegalArgumentException for an endpoint that is no address, or no cost map of that type
     * @throws IllegalStateException    past {@link #validUntil()}
     */
    public List<RankedEndpoint> rank(String src, List<String> candidates, CostType type) {
        List<IpAddress> dsts = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            dsts.add(address(candidates.get(i), "candidates[" + i + "]"));
        }
        boolean ordinal = requireNonNull(type, "type").mode() == CostType.Mode.ORDINAL;
        List<RankedEndpoint> out = new ArrayList<>(candidates.size());
        // for an ordinal type, each with its rank as its cost: the ordinal answer of a ranking, as the origin's query code writes it
        rankAddresses(address(src, "src"), dsts, type.toCore()).forEach(r -> out.add(new RankedEndpoint(
                r.endpoint().toTyped(), ordinal ? r.rank() : r.cost(), r.rank(), r.index())));
        return out;
    }

    /**
     * The filtered cost map of RFC 7285 §11.3.2, as the origin's {@code /costmap/filtered} answers
     * it for these PIDs: the costs of {@code type} from each PID of {@code srcPids} (every PID when
     * empty) to each of {@code dstPids} (every PID when empty), for an application that weighs
     * whole PIDs (a tracker grouping its swarm by {@link #pid}) rather than ranking one peer list.
     * Known costs only: a PID the network map does not hold is left out, so is a source left with
     * no cost, and a pair within one PID has a cost only where the map gives one. For an ordinal
     * type from a numerical map each cost is its rank among all the map's costs (RFC 7285
     * §6.1.2.2, computed once per version of the maps), not among those asked.
     *
     * @param srcPids the source PIDs, or none for all
     * @param dstPids the destination PIDs, or none for all
     * @param type    the cost type
     * @return source PID to destination PID to cost, PIDs in name order; unmodifiable
     * @throws IllegalArgumentException for no cost map of that type
     * @throws IllegalStateException    past {@link #validUntil()}
     */
    public Map<String, Map<String, Double>> costs(List<String> srcPids, List<String> dstPids, CostType type) {
        requireNonNull(srcPids, "srcPids");
        requireNonNull(dstPids, "dstPids");
        org.rproxy.core.model.CostType asked = requireNonNull(type, "type").toCore();
        requireCurrent();
        CostMap held;
        try {
            held = costs.costMap(asked);
        } catch (AltoException e) {
            throw new IllegalArgumentException(e.error().message(), e);
        }
        CostMap map = held.costType().mode() == asked.mode() ? held
                : ordinalViews.computeIfAbsent(held.vtag().resourceId(), id -> OrdinalCosts.of(held));
        return map.select(srcPids, dstPids, cost -> true).costs();
    }

    /** {@code dsts} ranked in core's terms: for the {@link SourcePolicy}, which ranks proxies' addresses. */
    List<org.rproxy.core.query.RankedEndpoint> rankAddresses(IpAddress src, List<IpAddress> dsts,
                                                             org.rproxy.core.model.CostType type) {
        requireCurrent();
        try {
            return costs.rank(src, dsts, requireNonNull(type, "type"));
        } catch (AltoException e) {
            throw new IllegalArgumentException(e.error().message(), e);
        }
    }

    /** {@return whether these answers are given now: before {@link #validUntil()}} */
    public boolean isCurrent() {
        return clock.instant().isBefore(validUntil.get());
    }

    /**
     * @throws IllegalStateException past {@link #validUntil()}, saying whether the client holds
     *                               newer answers to take instead
     */
    private void requireCurrent() {
        Instant until = validUntil.get();
        if (clock.instant().isBefore(until)) {
            return;
        }
        LocalAnswers now = held.get();
        if (now != null && now != this && now.isCurrent()) {
            throw new IllegalStateException("the maps these answers come from expired at " + until + ", and the"
                    + " client holds newer ones (" + now.versions() + ", valid until " + now.validUntil() + "): these"
                    + " answers are a snapshot of one version; take the current ones, AltoClient.answers(), at each use");
        }
        throw new IllegalStateException("the maps these answers come from expired at " + until
                + " and were not renewed: refresh them (AltoClient.refreshMaps)");
    }

    /** {@return the versions answers are computed from: the network map, then its cost maps} */
    public List<MapVersion> versions() {
        return costs.vtags().stream().map(v -> new MapVersion(v.resourceId(), v.tag())).toList();
    }

    static IpAddress address(String endpoint, String what) {
        requireNonNull(endpoint, what);
        try {
            return endpoint.startsWith("ipv4:") || endpoint.startsWith("ipv6:")
                    ? IpAddress.parseTyped(endpoint, what) : IpAddress.parseLiteral(endpoint, what);
        } catch (AltoException e) {
            throw new IllegalArgumentException(what + ": " + endpoint + " (expected: an IP address)", e);
        }
    }
}
