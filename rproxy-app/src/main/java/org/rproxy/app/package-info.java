/**
 * The {@code rproxy} command line ({@code Main}): {@code keygen}, {@code origin}, {@code proxy},
 * {@code fetch}, {@code verify}, {@code check}, {@code demo}. It parses options and config files,
 * composes the modules (a streaming pull proxy, {@code StreamingPull}; pull plus push,
 * {@code PushPullProxy}; the overlay publisher with {@code --overlay}) and waits to be stopped
 * ({@code NodeShutdown}).
 *
 * <p>Holds no protocol logic, and no check of a config file or maps folder of its own: those
 * belong in the config records, the loader or {@code MapsFolder}, which {@code rproxy check} only
 * reports ({@code ARCHITECTURE.md} §8).
 */
package org.rproxy.app;
