package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import org.rproxy.harness.scenario.OverlayFigures.Source;

/**
 * What one overlay peer of the {@code overlay} scenario did, as its peer process reported it.
 * Immutable.
 *
 * @param ip           the peer's own address (100.64.0.0/10, inside the scenario's namespace)
 * @param viewers      the simulated viewers behind it, served from its copies
 * @param joined       whether it joined the DHT and bootstrapped from the origin
 * @param net          where its network map came from in phase 1
 * @param cost         where its first cost map came from
 * @param firstMillis  from being told to fetch to holding both maps, or -1
 * @param changed      where the changed cost map came from ({@link Source#NONE}: it never held it)
 * @param changeMillis from the file write at the origin to holding the changed cost map, or -1
 * @param polls        cost map fetches it made after the change
 * @param holdsCurrent whether, at the end, it held exactly the origin's current network and cost map
 */
record PeerSample(String ip, long viewers, boolean joined, Source net, Source cost, long firstMillis, Source changed,
                  long changeMillis, int polls, boolean holdsCurrent) {
    static final String CSV_HEADER = "ip,viewers,joined,network_map_from,cost_map_from,both_maps_ms,changed_cost_map_from,"
            + "change_ms,polls_after_change,holds_current_maps";

    PeerSample {
        requireNonNull(ip, "ip");
        requireNonNull(net, "net");
        requireNonNull(cost, "cost");
        requireNonNull(changed, "changed");
        if (viewers < 0) {
            throw new IllegalArgumentException("viewers: " + viewers + " (expected: >= 0)");
        }
        if ((changed == Source.NONE) != (changeMillis < 0)) {
            throw new IllegalArgumentException("changeMillis: " + changeMillis + " (expected: >= 0 exactly when changed, "
                    + changed + ", names a source)");
        }
    }

    /** A CSV line with the columns of {@link #CSV_HEADER}. */
    String csv() {
        return String.join(",", ip, Long.toString(viewers), Boolean.toString(joined), net.label(), cost.label(),
                Long.toString(firstMillis), changed.label(), Long.toString(changeMillis), Integer.toString(polls),
                Boolean.toString(holdsCurrent));
    }
}
