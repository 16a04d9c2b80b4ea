package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrometheusPageTest {
    private static final String PAGE = """
            # HELP rproxy_overlay_pointer_nodes DHT nodes that took the last put
            # TYPE rproxy_overlay_pointer_nodes gauge
            rproxy_overlay_pointer_nodes{resource="costmap"} 8.0
            rproxy_overlay_pointer_nodes{resource="costmap-2"} 3.0
            rproxy_overlay_dht_nodes 20.0
            """;

    @Test
    void theSeriesWrittenExactlyAsThePageWritesItAndNoOther() {
        assertEquals(8.0, PrometheusPage.sample(PAGE, "rproxy_overlay_pointer_nodes{resource=\"costmap\"}").getAsDouble());
        assertEquals(3.0, PrometheusPage.sample(PAGE, "rproxy_overlay_pointer_nodes{resource=\"costmap-2\"}").getAsDouble());
        assertEquals(20.0, PrometheusPage.sample(PAGE, "rproxy_overlay_dht_nodes").getAsDouble());
    }

    @Test
    void aSeriesThePageDoesNotShowIsEmpty() {
        assertTrue(PrometheusPage.sample(PAGE, "rproxy_overlay_pointer_nodes{resource=\"networkmap\"}").isEmpty());
        assertTrue(PrometheusPage.sample(PAGE, "rproxy_overlay_dht").isEmpty(), "a prefix of a name is another series");
    }
}
