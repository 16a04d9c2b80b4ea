package org.rproxy.client;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
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
 * every proxy ahead of it fails), then latency. A proxy's host name is resolved on the caller's thread (the
 * JDK caches lookups); one that does not resolve has no known cost. Stateless.
 */
final class CostRankedPolicy implements SourcePolicy {

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

    private static Map<URI, Double> costs(List<URI> proxies, Context context) {
        Map<URI, Double> out = new HashMap<>();
        if (context.client() == null || context.answers() == null) {
            return out;
        }
        Map<IpAddress, List<URI>> byAddress = new HashMap<>();
        for (URI p : proxies) {
            IpAddress a = address(p.getHost());
            if (a != null) {
                byAddress.computeIfAbsent(a, k -> new ArrayList<>()).add(p);
            }
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

    private static IpAddress address(String host) {
        if (host == null) {
            return null;
        }
        try {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return IpAddress.of(InetAddress.getByName(h).getAddress());
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }
}
