package org.rproxy.core.server;

/**
 * The user events of a stop, fired down a connection's (or an HTTP/2 stream's) pipeline:
 * {@link #DRAIN} by {@link AltoHttpServer#close} on every open connection (and by
 * {@link Http2ConnectionGuard} on each of its streams); {@link #AFTER_ARRIVING} is what
 * {@link RequestAssembler} makes of it while a request's body is still arriving, so that request
 * is answered too (HTTP/1.1: an HTTP/2 stream's request still arriving is refused first, by
 * {@link UnfinishedRequest}, and the stream reset). {@link ExchangeHandler} finishes the connection on either.
 */
enum Drain {
    /** The server stops: answer what is owed, then close. */
    DRAIN,
    /** The server stops while a request's body arrives: answer it too, last, then close. */
    AFTER_ARRIVING
}
