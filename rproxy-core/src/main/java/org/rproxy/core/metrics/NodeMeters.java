package org.rproxy.core.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The meters of one serving node (an origin or a proxy): a Prometheus registry with the JVM's
 * and the process's meters bound to it (Micrometer's binders: heap and non-heap memory and
 * buffer pools, garbage collection pauses, threads by state, classes loaded, CPU usage and
 * load, uptime, open and maximum file descriptors), beside which the node registers its own.
 * What an operator checks first when a node misbehaves (a heap near its limit, descriptors
 * near {@code LimitNOFILE}, long GC pauses) is then on the same {@code /metrics} page.
 *
 * <p>The binders read MXBeans when scraped, on the admin thread. The garbage collection meter
 * listens to the JVM's GC notifications until {@link #close}, which the node calls when it
 * stops (several nodes in one JVM, as in tests, each have their own).
 */
public final class NodeMeters implements AutoCloseable {
    /** Micrometer's name for the processors available to the JVM, and the one shown instead. */
    static final String CPU_COUNT = "system.cpu.count";
    static final String CPUS = "system.cpus";
    /**
     * Two of the processor binder's meters fail {@code promtool check metrics}: the CPU time
     * counter is in nanoseconds (an abbreviated unit in its name; {@code process_cpu_usage}
     * says the same), and the processor count ends in {@code _count}, which Prometheus keeps for
     * histograms and summaries. The first is left out and the second renamed
     * {@code system_cpus}, so the page passes the linter operators run.
     */
    private static final MeterFilter PROMTOOL_CLEAN = new MeterFilter() {
        @Override
        public MeterFilterReply accept(Meter.Id id) {
            return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            return id.getName().equals(CPU_COUNT) ? id.withName(CPUS) : id;
        }
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public NodeMeters() {
        registry.config().meterFilter(PROMTOOL_CLEAN);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The registry {@code /metrics} shows. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
