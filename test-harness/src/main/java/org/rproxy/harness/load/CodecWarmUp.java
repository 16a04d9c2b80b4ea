package org.rproxy.harness.load;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Runs one request and one answer through the client's HTTP codec in memory before a run's clock
 * starts, so that loading the codec's classes is the harness's set-up and not the first viewers'
 * latency. Nothing is sent anywhere.
 */
final class CodecWarmUp {
    private CodecWarmUp() {
    }

    static void run() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 16));
        try {
            ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/warm-up"));
            for (Object out; (out = ch.readOutbound()) != null; ) {
                ReferenceCountUtil.release(out);
            }
            ByteBuf answer = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", StandardCharsets.US_ASCII);
            ch.writeInbound(answer);
            for (Object in; (in = ch.readInbound()) != null; ) {
                ReferenceCountUtil.release(in);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
