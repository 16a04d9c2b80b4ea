package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.tls.TestCertificates;
import org.rproxy.core.tls.Tls;

/**
 * A stream URI naming its upstream by an IPv6 literal, {@code https://[::1]:port/updates}
 * ({@link URI#getHost} gives it in brackets): the connection is made to {@code ::1}, its
 * certificate checked for that bare address, and the subscription sent {@code Host: [::1]:port}.
 * A real https front end on the IPv6 loopback (skipped without it) refuses the subscription with
 * an ALTO error naming the Host field it was sent, which the stream hands on.
 */
class UpstreamStreamIpv6Test {
    @TempDir
    Path dir;

    private static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return s.isBound();
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void anHttpsStreamOnAnIpv6LiteralIsCheckedForTheBareAddressAndSentItsHostInOnePairOfBrackets() throws Exception {
        assumeTrue(ipv6Loopback(), "no ::1 on this machine");
        TestCertificates cert = TestCertificates.make(dir, "v6"); // names ::1 among others
        AltoHttpServer server = AltoHttpServer.start(FrontEndConfig.defaults("::1", 0)
                .withSslContext(Tls.server(new TlsConfig(cert.cert(), cert.key()))),
                request -> CompletableFuture.completedFuture(Reply.error(AltoError.syntax("host " + request.host()),
                        Dialect.JSON)));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> told = new LinkedBlockingQueue<>();
        try {
            int port = server.localAddress().getPort();
            UpstreamStream.open(group, URI.create("https://[::1]:" + port + "/updates"), Tls.client(cert.cert()),
                    "{}".getBytes(US_ASCII), Duration.ofSeconds(10), StreamListeners.toldInto(told));
            assertEquals("refused: host [::1]:" + port, told.poll(10, TimeUnit.SECONDS));
            assertTrue(told.poll(10, TimeUnit.SECONDS).startsWith("closed: "));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            server.close();
        }
    }
}
