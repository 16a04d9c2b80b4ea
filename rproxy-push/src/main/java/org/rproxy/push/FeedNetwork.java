package org.rproxy.push;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

import org.rproxy.core.tls.Tls;

/**
 * The push feed's network resources: the Netty event loop and TLS context of its long-lived
 * stream connection ({@link UpstreamStream}), and the JDK HTTP client for its short requests
 * (the directory, control-URI additions), whose completions run on the feed's own thread.
 * An {@code https} upstream is trusted only when its certificate chains to the configured CA (or
 * the JDK's trust store) and names the host.
 */
final class FeedNetwork implements AutoCloseable {

    final SslContext tls;
    final HttpClient http;
    final EventLoopGroup group;
    /** The stream connections, while open; one opened after {@link #close} is closed at once. */
    private final ChannelGroup connections = new DefaultChannelGroup("rproxy-push-io", GlobalEventExecutor.INSTANCE,
            true);

    /** TLS is read first: a bad CA file fails here, before any thread exists. */
    FeedNetwork(PushFeedConfig config, Executor feedThread) {
        this.tls = config.https() ? Tls.client(config.ca()) : null;
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(feedThread);
        if (config.https()) {
            http.sslContext(Tls.jdkClient(config.ca()));
        }
        this.http = http.build();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rproxy-push-io"),
                UpstreamStream.TRANSPORT.ioHandlerFactory());
    }

    /** Opens a stream connection on this network's event loop ({@link UpstreamStream#open}). */
    UpstreamStream open(URI stream, SslContext tls, byte[] body, Duration readTimeout, UpstreamStream.Listener listener) {
        UpstreamStream opened = UpstreamStream.open(group, stream, tls, body, readTimeout, listener);
        connections.add(opened.channel());
        return opened;
    }

    /**
     * Closes the stream connections still open, then stops the event loop: left to the loop's
     * shutdown (no quiet period), a connection stays open when the request comes while the loop
     * runs its tasks (Netty 4.2 then ends the loop without closing what is registered), its
     * stream never told it closed and what it holds never released.
     */
    @Override
    public void close() {
        connections.close().awaitUninterruptibly(3, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
