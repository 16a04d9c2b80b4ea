package org.rproxy.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class PrometheusOriginCounterTest {
    @Test
    void samplesOfTheMetricAreSummedByPathAndOthersIgnored() {
        String text = """
                # HELP rproxy_requests_total Responses written
                # TYPE rproxy_requests_total counter
                rproxy_requests_total{method="GET",path="/directory",status="200",} 12.0
                rproxy_requests_total{method="GET",path="/directory",status="304",} 3.0
                rproxy_requests_total{method="POST",path="/endpointcost",status="200",} 5.0
                rproxy_requests_totalx{path="/directory"} 99.0
                rproxy_response_bytes_total 1234.0
                """;
        assertEquals(Map.of("/directory", 15L, "/endpointcost", 5L), PrometheusOriginCounter.parse(text, "rproxy_requests_total"));
    }
}
