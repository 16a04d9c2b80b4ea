/**
 * {@code harness client-heap}: the heap an {@code AltoClient} holding an origin's maps costs, in a
 * JVM of its own, as an embedding application would pay it.
 *
 * <p>A measurement to read, never an assertion of the build.
 */
package org.rproxy.harness.heap;
