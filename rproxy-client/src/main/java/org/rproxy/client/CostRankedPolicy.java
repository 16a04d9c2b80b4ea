package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rproxy.core.model.IpAddress;
import org.rproxy.core.query.RankedEndpoint;

/**
 * {@link SourcePolicy#costRanked()}: network cost first (the maps exist to say which source is
 * near), then health (recently failing last, for as long as {@link SourceHealth#recentFailures}
 * says: a failed proxy is back in its place once its failure window has passed, not only when
 * every proxy ahead of it fails), then latency. A proxy's host name is never looked up on the
 * caller's thread: {@link HostAddresses} gives the address last found and looks names up in the
 * background, so a proxy whose name has not been found yet (or has no address) has no known cost
 * and ranks after those that do. Names are looked up only when the client gave its own address
 * (without it no cost is known anyway). Thread-safe; it holds nothing but those addresses.
 */
final class CostRankedPolicy implements SourcePolicy {
    private final HostAddresses addresses;

    /** With the JDK's resolver, its addresses shared by every client of the JVM. */
    CostRankedPolicy() {
        this(HostAddresses.SYSTEM);
    }

    /** With {@code addresses} (a test's own resolver). */
    CostRankedPolicy(HostAddresses addresses) {
        this.addresses = requireNonNull(addresses, "addresses");
    }

    @Override
    public List<URI> order(List<URI> proxies, Context context) {
        SourceHealth health = context.health();
        List<URI> usable = new ArrayList<>();
        for (URI p : proxies) {
            if (!health.coolingDown(p)) {
                usable.add(p);
            }
        }
        Map<URI, Double> cost = costs(usable, context);
        // List.sort is stable: equal sources keep the origin's order.
        usable.sort(Comparator.<URI>comparingDouble(p -> cost.getOrDefault(p, Double.POSITIVE_INFINITY))
                .thenComparingInt(p -> health.recentFailures(p) > 0 ? 1 : 0)
                .thenComparingDouble(p -> health.latencyMillis(p).orElse(0)));
        return usable;
    }

    private Map<URI, Double> costs(List<URI> proxies, Context context) {
        Map<URI, Double> out = new HashMap<>();
        if (context.client() == null) {
            return out;
        }
        // looked up before maps are held too, so that their addresses are known once they are
        Map<IpAddress, List<URI>> byAddress = new HashMap<>();
        for (URI p : proxies) {
            IpAddress a = addresses.address(p.getHost());
            if (a != null) {
                byAddress.computeIfAbsent(a, k -> new ArrayList<>()).add(p);
            }
        }
        if (context.answers() == null || byAddress.isEmpty()) {
            return out;
        }
        try {
            List<RankedEndpoint> ranked = context.answers().rankAddresses(LocalAnswers.address(context.client(), "client"),
                    new ArrayList<>(byAddress.keySet()), LocalAnswers.ROUTING_COST.toCore());
            ranked.forEach(r -> byAddress.get(r.endpoint()).forEach(p -> out.put(p, r.cost())));
        } catch (IllegalArgumentException | IllegalStateException e) {
            // No routing cost map held, or its signature just expired (or a policy's caller gave a client address
            // that is none): no cost is known, the other criteria decide.
        }
        return out;
    }
}
