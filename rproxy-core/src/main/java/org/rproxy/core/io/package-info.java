/**
 * Files written whole and durably ({@code AtomicFiles}: a forced temporary file renamed over the
 * target, then the folder forced), and large arrays written in slices so that the JDK does not keep
 * a per-thread direct buffer as large as the largest write ({@code SlicedWrites}).
 *
 * <p>Blocking file I/O: never to be called from an event loop.
 */
package org.rproxy.core.io;
