package org.rproxy.core.codec.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.CostMap;

/** One codec instance (one XmlMapper) is shared by every thread of the origin and the proxies. */
class XmlCodecConcurrencyTest {

    @Test
    void oneCodecRendersAndParsesConsistentlyFromManyThreads() throws Exception {
        XmlCodec codec = new XmlCodec();
        CostMap map = XmlCodecSeedTest.seedCostMap();
        Bytes expected = codec.renderCostMap(map);
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int mismatches = 0;
                    for (int i = 0; i < 200; i++) {
                        Bytes rendered = codec.renderCostMap(map);
                        CostMap parsed = codec.parseCostMap(rendered, map.vtag(), map.dependentVtag());
                        if (!rendered.equals(expected) || !parsed.equals(map)) {
                            mismatches++;
                        }
                    }
                    return mismatches;
                }));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                assertEquals(0, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
