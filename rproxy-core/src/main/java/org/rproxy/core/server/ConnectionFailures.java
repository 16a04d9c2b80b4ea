package org.rproxy.core.server;

import java.io.IOException;

import io.netty.channel.Channel;

import org.slf4j.Logger;

/**
 * How a failed connection is logged. A client that resets, leaves mid-request or speaks broken
 * TLS is the normal life of a public port, not an error: debug only, since one client can make
 * thousands of such connections a second. Anything else is a fault of ours: a warning, rate
 * limited. Stateless; any thread.
 */
final class ConnectionFailures {

    private ConnectionFailures() {
    }

    static void log(Logger log, RateLimitedLog warnings, Channel channel, Throwable cause) {
        if (clientGone(cause)) {
            log.debug("connection {} failed", channel, cause);
        } else {
            warnings.warn(log, "connection {} failed", channel, cause);
        }
    }

    /** True for an I/O failure, also wrapped (TLS errors arrive inside a DecoderException). */
    static boolean clientGone(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
