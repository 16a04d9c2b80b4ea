/**
 * The scenarios ({@code harness scenario NAME}): whole topologies (an origin; proxies, caches and
 * overlay peers as child processes, some in network namespaces) with load run against them,
 * checked, and reported: flash crowd, outage, push storm, tampering, edge caches, overlay and the
 * rest; and {@code harness relay}, the counting and fault-injecting relay as a process of its own.
 *
 * <p>Must stop every process it starts, whatever the outcome; its figures hold for the machine
 * it ran on, and are never a pass or fail of the build.
 */
package org.rproxy.harness.scenario;
