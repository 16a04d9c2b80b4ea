package org.rproxy.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void autoTakesTheNativeTransportWhereItLoads() {
        assertEquals(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO, Transport.choose("auto"));
        assertEquals(Transport.choose("auto"), Transport.choose(" AUTO "));
    }

    @Test
    void nioIsAlwaysThere() {
        Transport nio = Transport.choose("nio");
        assertEquals(NioServerSocketChannel.class, nio.serverChannel());
        assertEquals(NioSocketChannel.class, nio.socketChannel());
        assertEquals("nio", nio.toString());
    }

    @Test
    void epollIsRefusedWithTheReasonWhereItCannotLoad() {
        if (Epoll.isAvailable()) {
            assertEquals(EpollServerSocketChannel.class, Transport.choose("epoll").serverChannel());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Transport.choose("epoll"));
            assertTrue(e.getMessage().startsWith("rproxy.transport=epoll"), e.getMessage());
        }
    }

    @Test
    void anUnknownTransportIsRefusedNamingTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.choose("kqueue"));
        assertEquals("rproxy.transport=kqueue (expected: auto, epoll or nio)", e.getMessage());
    }
}
