package org.rproxy.core.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A node's registry shows the JVM and the process beside the node's own meters. */
class NodeMetersTest {

    @Test
    void theScrapeHasJvmAndProcessMeters() {
        try (NodeMeters meters = new NodeMeters()) {
            String scrape = meters.registry().scrape();
            for (String name : new String[] {"jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads",
                    "jvm_classes_loaded_classes", "process_cpu_usage", "system_cpus", "process_uptime_seconds",
                    "process_start_time_seconds", "process_files_open_files", "process_files_max_files"}) {
                assertTrue(scrape.contains(name), name + " missing from:\n" + scrape);
            }
            // Names promtool's linter refuses (an abbreviated unit; a _count suffix on a gauge).
            assertFalse(scrape.contains("process_cpu_time_ns"), scrape);
            assertFalse(scrape.contains("system_cpu_count"), scrape);
        }
    }
}
