package org.rproxy.harness;

import org.rproxy.harness.load.PrometheusPage;

/**
 * The check {@link OverlayNamespaceRun} makes of the RProxy's overlay meters, as a Prometheus
 * page shows them. Each failed check throws an AssertionError.
 */
final class OverlayMeters {
    private OverlayMeters() {
    }

    /**
     * The RProxy's overlay meters after the change: its cost-map pointer names the new version
     * and sits on at least 5 of the 8 closest DHT nodes, its puts are counted, it knows the
     * swarm's nodes and serves torrents; every meter is in the table of docs/operations.md, and the page
     * passes promtool where it is installed.
     */
    static void checkAfterChange(String page, String costMapId, long v2) throws Exception {
        String cost = "{resource=\"" + costMapId + "\"}";
        check(sample(page, "rproxy_overlay_pointer_created_time_seconds" + cost) == v2,
                "the meters name the cost map's new version " + v2 + ":\n" + page);
        check(sample(page, "rproxy_overlay_pointer_nodes" + cost) >= 5, "the cost map's pointer on >= 5 nodes:\n" + page);
        check(sample(page, "rproxy_overlay_puts_total{result=\"stored\"}") >= 5, "puts counted:\n" + page);
        check(sample(page, "rproxy_overlay_dht_nodes") >= 8, "the RProxy knows more DHT nodes than the few up with it:\n" + page);
        check(sample(page, "rproxy_overlay_torrents") >= 2, "torrents served:\n" + page);
        BoundedMetricsIT.assertDocumented(page, 9);
        String complaint = BoundedMetricsIT.promtoolComplaint(page);
        check(complaint == null || complaint.isEmpty(), "promtool check metrics: " + complaint + "\n" + page);
        System.out.printf("meters: the RProxy's cost-map pointer on %.0f DHT nodes, %.0f nodes in its routing table,"
                + " %.0f torrents served; every meter documented, promtool %s%n",
                sample(page, "rproxy_overlay_pointer_nodes" + cost), sample(page, "rproxy_overlay_dht_nodes"),
                sample(page, "rproxy_overlay_torrents"), complaint == null ? "absent" : "passed");
    }

    /** The value of {@code series} (name and labels, as the page writes them) on a Prometheus page. */
    static double sample(String page, String series) {
        return PrometheusPage.sample(page, series)
                .orElseThrow(() -> new AssertionError(series + " is not on the page:\n" + page));
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
