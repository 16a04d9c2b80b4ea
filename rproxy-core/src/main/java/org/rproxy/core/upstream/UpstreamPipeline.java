package org.rproxy.core.upstream;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.handler.codec.http.HttpClientCodec;

/**
 * Builds each new connection of an {@link UpstreamClient}'s pool: [tls] → http codec → response
 * handler ({@link UpstreamHandler}), the connection kept in the client's group while open. The
 * TLS handler is given the bare host ({@code ::1}, not {@code [::1]}) for the server name and the
 * certificate check. On the connection's event loop.
 */
final class UpstreamPipeline extends AbstractChannelPoolHandler {
    private final UpstreamClient.Settings settings;
    private final String hostHeader;
    private final ChannelGroup connections;

    UpstreamPipeline(UpstreamClient.Settings settings, String hostHeader, ChannelGroup connections) {
        this.settings = settings;
        this.hostHeader = hostHeader;
        this.connections = connections;
    }

    @Override
    public void channelCreated(Channel ch) {
        connections.add(ch);
        if (settings.sslContext() != null) {
            ch.pipeline().addLast("tls", settings.sslContext().newHandler(ch.alloc(), settings.host(), settings.port()));
        }
        ch.pipeline().addLast("http", new HttpClientCodec());
        ch.pipeline().addLast("response", new UpstreamHandler(hostHeader, settings.maxBody()));
    }
}
