package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;

/**
 * A subscription answered with interim responses first (103 Early Hints from a CDN, an
 * unasked-for 100) gets its stream: the 1xx are skipped, as RFC 9110 §15.2 asks of a client; a
 * 101 is not skipped but ends the attempt.
 */
class UpstreamStreamInterimTest {

    /** Reads one request head and body from {@code in} (enough for the test: up to the body's end). */
    private static void readRequest(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            head.write(b);
        }
        String h = head.toString(US_ASCII).toLowerCase();
        int at = h.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim());
        in.readNBytes(length);
    }

    @Test
    void interimResponsesBeforeTheStreamAreSkipped() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread upstream = new Thread(() -> {
                try (Socket s = server.accept()) {
                    readRequest(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 100 Continue\r\n\r\n"
                            + "HTTP/1.1 103 Early Hints\r\nLink: </updates>; rel=preload\r\n\r\n").getBytes(US_ASCII));
                    out.flush();
                    Thread.sleep(50);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "12\r\nevent: x\ndata: y\n\n\r\n").getBytes(US_ASCII));
                    out.flush();
                    Thread.sleep(2000); // the stream stays open; the test ends it
                } catch (Exception e) {
                    // the client closed
                }
            });
            upstream.setDaemon(true);
            upstream.start();
            UpstreamStream stream = UpstreamStream.open(group, URI.create("http://127.0.0.1:" + server.getLocalPort() + "/updates"),
                    null, "{}".getBytes(US_ASCII), Duration.ofSeconds(10), recorder(seen));
            assertEquals("opened", seen.poll(5, TimeUnit.SECONDS));
            String bytes = seen.poll(5, TimeUnit.SECONDS);
            assertNotNull(bytes);
            assertTrue(bytes.equals("bytes event: x\ndata: y\n\n"), bytes);
            stream.close();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * A 101 Switching Protocols, which the feed never asks for, is not skipped as the other 1xx
     * are ({@link org.rproxy.core.upstream.InterimResponses}): the attempt ends, saying why.
     */
    @Test
    void an101EndsTheAttemptAndSaysNoUpgradeWasAskedFor() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread upstream = new Thread(() -> {
                try (Socket s = server.accept()) {
                    readRequest(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                            + "not HTTP any more").getBytes(US_ASCII));
                    out.flush();
                    Thread.sleep(2000); // the client ends it
                } catch (Exception e) {
                    // the client closed
                }
            });
            upstream.setDaemon(true);
            upstream.start();
            UpstreamStream.open(group, URI.create("http://127.0.0.1:" + server.getLocalPort() + "/updates"), null,
                    "{}".getBytes(US_ASCII), Duration.ofSeconds(10), recorder(seen));
            assertEquals("closed upstream answered 101 Switching Protocols (upgrade to 'h2c') though no upgrade was "
                    + "asked for", seen.poll(5, TimeUnit.SECONDS));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static UpstreamStream.Listener recorder(BlockingQueue<String> seen) {
        return new UpstreamStream.Listener() {
            @Override
            public void opened() {
                seen.add("opened");
            }

            @Override
            public void bytes(byte[] data) {
                seen.add("bytes " + new String(data, US_ASCII));
            }

            @Override
            public void refused(AltoError error) {
                seen.add("refused " + error);
            }

            @Override
            public void closed(StreamEnd end) {
                seen.add("closed " + end.reason());
            }
        };
    }
}
