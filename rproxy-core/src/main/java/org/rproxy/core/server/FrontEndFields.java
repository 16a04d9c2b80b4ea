package org.rproxy.core.server;

import java.time.Duration;
import java.util.function.Function;

import io.netty.handler.ssl.SslContext;

import org.rproxy.core.store.BodySpool;

/**
 * The fields of a {@link FrontEndConfig} being copied with a change: the one place besides the
 * record's header that lists them all, so that each {@code with...} names only the field it
 * changes. Apart from the record, which says what each limit means and checks it.
 */
final class FrontEndFields {
    String host;
    int port;
    int maxInitialLineLength;
    int maxHeaderBytes;
    int maxBodyBytes;
    Duration idleTimeout;
    Duration firstByteTimeout;
    int maxConnections;
    int maxStreams;
    int ioThreads;
    Function<String, Dialect> dialectOf;
    SslContext sslContext;
    BodySpool spool;
    int sendBufferBytes;
    long maxBodyBytesHeld;
    int maxUnfinishedStreams;
    long maxPendingSendBytes;
    int maxAnswersHeld;
    int maxConnectionsPerAddress;
    Duration drainTimeout;

FrontEndFields(FrontEndConfig c) {
        host = c.host();
        port = c.port();
        maxInitialLineLength = c.maxInitialLineLength();
        maxHeaderBytes = c.maxHeaderBytes();
        maxBodyBytes = c.maxBodyBytes();
        idleTimeout = c.idleTimeout();
        firstByteTimeout = c.firstByteTimeout();
        maxConnections = c.maxConnections();
        maxStreams = c.maxStreams();
        ioThreads = c.ioThreads();
        dialectOf = c.dialectOf();
        sslContext = c.sslContext();
        spool = c.spool();
        sendBufferBytes = c.sendBufferBytes();
        maxBodyBytesHeld = c.maxBodyBytesHeld();
        maxUnfinishedStreams = c.maxUnfinishedStreams();
        maxPendingSendBytes = c.maxPendingSendBytes();
        maxAnswersHeld = c.maxAnswersHeld();
        maxConnectionsPerAddress = c.maxConnectionsPerAddress();
        drainTimeout = c.drainTimeout();
    }

    FrontEndConfig build() {
        return new FrontEndConfig(host, port, maxInitialLineLength, maxHeaderBytes, maxBodyBytes, idleTimeout,
                firstByteTimeout, maxConnections, maxStreams, ioThreads, dialectOf, sslContext, spool, sendBufferBytes,
                maxBodyBytesHeld, maxUnfinishedStreams, maxPendingSendBytes, maxAnswersHeld, maxConnectionsPerAddress,
                drainTimeout);
    }
}
