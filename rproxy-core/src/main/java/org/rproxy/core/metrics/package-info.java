/**
 * A node's meters and its admin listener: the Prometheus registry with the JVM's meters
 * ({@code NodeMeters}), the front end's request counters and gauges, and {@code AdminServer}
 * ({@code /metrics}, {@code /healthz}, {@code /readyz}), whose scrapes and readiness checks run on
 * threads of their own, one at a time with one waiting ({@code SharedRun}). Every meter is listed
 * in {@code docs/operations.md}, which {@code BoundedMetricsIT} checks.
 *
 * <p>Label values taken from requests must stay bounded (routes, not raw paths); nothing here
 * blocks an event loop.
 */
package org.rproxy.core.metrics;
