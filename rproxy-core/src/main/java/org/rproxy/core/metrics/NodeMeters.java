package org.rproxy.core.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
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
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public NodeMeters() {
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
