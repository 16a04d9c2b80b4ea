/**
 * The proxy's configuration: YAML files read once at start into validated records
 * ({@code ConfigLoader}, {@code ProxyConfig} and its sections), the operators' units
 * ({@code ByteSize}, {@code Durations}), and every refusal worded for an operator, naming the file,
 * the key as a dotted path and the reason. {@code ConfigProblems} finds every problem of a file for
 * {@code rproxy check} by the same binding; {@code PrivateKeyFiles} is the one rule on private key
 * file modes.
 *
 * <p>A bad config is refused here, at start, never found later by the component using it; a new
 * check goes into the records or the loader, not into {@code rproxy check} alone.
 */
package org.rproxy.core.config;
