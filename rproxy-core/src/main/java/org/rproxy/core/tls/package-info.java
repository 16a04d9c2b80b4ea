/**
 * TLS contexts from PEM files, shared by the front ends and the feeds' clients: a server
 * identity, and the client side towards an {@code https} upstream, which checks the certificate
 * chain and the host name.
 *
 * <p>Builds contexts only; it opens no connection.
 */
package org.rproxy.core.tls;
