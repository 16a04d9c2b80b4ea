/**
 * The threads every role starts and the rules they follow: named daemon thread factories
 * ({@code DaemonThreads}; the names are listed in {@code ARCHITECTURE.md} §5), a component's own
 * thread on which nothing thrown goes unseen ({@code GuardedThread}), the one rule on errors after
 * which the JVM cannot be trusted ({@code FatalErrors}), backoff with jitter, and reading why a
 * stage failed.
 *
 * <p>Must not hold a clock or randomness of its own: time and jitter are passed in
 * ({@code ARCHITECTURE.md} §7.6).
 */
package org.rproxy.core.concurrent;
