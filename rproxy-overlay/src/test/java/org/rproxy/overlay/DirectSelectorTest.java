package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class DirectSelectorTest {

    @Test
    void aChannelRegisteredDuringALongSelectTakesPartInTheNextOne() throws Exception {
        try (DirectSelector selector = new DirectSelector(Selector.open());
             ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            CompletableFuture<Integer> firstSelect = new CompletableFuture<>();
            CompletableFuture<Object> accepted = new CompletableFuture<>();
            Thread loop = new Thread(() -> {
                try {
                    firstSelect.complete(selector.select(60_000));
                    while (!accepted.isDone() && selector.select(60_000) >= 0) {
                        for (SelectionKey k : selector.selectedKeys()) {
                            if (k.isAcceptable()) {
                                accepted.complete(k.attachment());
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                } catch (Exception e) {
                    accepted.completeExceptionally(e);
                }
            }, "select-loop");
            loop.setDaemon(true);
            loop.start();
            // the loop is (or is about to be) in its minute-long select: registering neither
            // waits for it to end nor is missed by the selects after it
            selector.wakeupAndRegister(server, SelectionKey.OP_ACCEPT, "the server");

            assertEquals(0, firstSelect.get(20, TimeUnit.SECONDS), "the select in progress was woken");
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                assertEquals("the server", accepted.get(20, TimeUnit.SECONDS));
                assertTrue(client.isConnected());
            }
        }
    }
}
