/**
 * JMH benchmarks (profile {@code bench}): signing and verifying a response, computing an answer
 * locally, and the heap and parse time of a cost map.
 *
 * <p>Not part of the default build and never a test: figures vary with the machine.
 */
package org.rproxy.bench;
