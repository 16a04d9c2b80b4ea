package org.rproxy.core.server;

import java.io.IOException;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

import org.rproxy.core.log.RateLimitedLog;
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

    /**
     * True for an I/O failure, also wrapped (TLS errors arrive inside a DecoderException), and for
     * an HTTP/2 error the codec found in the client's bytes (a preface not followed by SETTINGS,
     * a bad frame, flow control broken): only those reach this handler, since the codec reports
     * the failures of its own writes to their promises. An HTTP/2 INTERNAL_ERROR is ours.
     */
    static boolean clientGone(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
            if (t instanceof Http2Exception h2) {
                return h2.error() != Http2Error.INTERNAL_ERROR;
            }
        }
        return false;
    }
}
