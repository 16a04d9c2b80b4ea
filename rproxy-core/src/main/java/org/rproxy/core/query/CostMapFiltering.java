package org.rproxy.core.query;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.CostMap;
import org.rproxy.core.model.CostMode;
import org.rproxy.core.model.CostType;

/**
 * The filtered cost map of RFC 7285 §11.3.2: the rows of the sources asked for, the columns of
 * the destinations asked for, and only the costs that meet every constraint.
 *
 * <p>An empty source or destination list means all PIDs (§11.3.2.3); a PID the map does not
 * hold is ignored (§11.3.2.6), and, as for network maps, a list of only unknown PIDs selects
 * nothing rather than everything. A source left with no cost is left out. An ordinal request on
 * a numerical map is answered from {@link OrdinalCosts#of(CostMap)} and its constraints compare
 * ranks; that ranks the whole map on every call, so a server answering many such requests passes
 * the ordinal view, computed once per map version, instead. Pure function; any thread.
 */
public final class CostMapFiltering {
    private static final int ORDINAL_VIEWS = 64;

    /**
     * The ordinal view of each numerical map asked for one, made once per map version: ranking
     * sorts every cost of the map (seconds on a map of millions), which a request for one pair
     * must not pay each time. Keyed by the map object, weakly (a version dropped takes its view
     * along), at most {@value CostMapFiltering#ORDINAL_VIEWS}; concurrent first requests share one computation.
     * Made when first asked for, not with this class: the client library, which leaves Caffeine
     * out of what an application loads, calls {@link CostMapFiltering#answers} (through
     * {@link CostMapChoice} and {@link EndpointCostLookup}) and never filters a cost map.
     */
    private static final class OrdinalViews {
        static final Cache<CostMap, CostMap> CACHE = Caffeine.newBuilder().weakKeys().maximumSize(ORDINAL_VIEWS)
                .executor(Runnable::run).build();
    }

    private CostMapFiltering() {
    }

    /**
     * The filtered map, with the full map's vtags and the requested cost type.
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} on {@code cost-type} when the map cannot
     *                       answer the requested cost type
     */
    public static CostMap apply(CostMap map, CostMapFilter filter) {
        requireNonNull(map, "map");
        requireNonNull(filter, "filter");
        CostMap source = view(map, filter.costType(), "cost-type");
        ConstraintBounds constraints = ConstraintBounds.of(filter.constraints());
        return source.select(filter.srcs(), filter.dsts(), constraints::test);
    }

    /**
     * {@code map} as it answers {@code requested}: itself when metric and mode match, its ordinal
     * view for an ordinal request on a numerical map.
     *
     * @throws AltoException {@code E_INVALID_FIELD_VALUE} naming {@code field} otherwise
     */
    static CostMap view(CostMap map, CostType requested, String field) {
        if (!answers(map.costType(), requested)) {
            throw mismatch(requested, field, "this resource has no cost type "
                    + requested.metric() + "/" + requested.mode().wireName());
        }
        return map.costType().mode() == requested.mode() ? map : OrdinalViews.CACHE.get(map, OrdinalCosts::of);
    }

    /** True when costs of type {@code have} can answer a request for {@code want}. */
    static boolean answers(CostType have, CostType want) {
        return have.metric().equals(want.metric())
                && (have.mode() == want.mode() || (have.mode() == CostMode.NUMERICAL && want.mode() == CostMode.ORDINAL));
    }

    static AltoException mismatch(CostType requested, String field, String reason) {
        return new AltoException(AltoError.invalidValue(field,
                requested.metric() + "/" + requested.mode().wireName(), reason));
    }
}
