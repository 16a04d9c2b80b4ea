package org.rproxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.rproxy.core.model.MapSet;
import org.rproxy.core.testing.RawSockets;

/**
 * A signing front's read given up at the bound of its poll lets its connection go then: the
 * unsigned server (a real one on loopback, written by hand so that it sees its client go) holds
 * a request unanswered, and sees the front close that connection once the poll's bound has
 * passed, long before the 30 s a request may take. Before, the request ran on in the client
 * until those 30 s, holding one of the front's two connections into the next polls.
 */
class AbandonedReadTest {
    /** The product's timeout for one request to the unsigned server. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Well under {@link #REQUEST_TIMEOUT}: a connection let go only by the timeout is not let go within it. */
    private static final Duration WITHIN = Duration.ofSeconds(10);
    /** The bound of the poll that is given up. */
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static final String NET = "{\"meta\": {\"vtag\": {\"resource-id\": \"net\", \"tag\": \"n1\"}},"
            + " \"network-map\": {\"P1\": {\"ipv4\": [\"10.0.0.0/8\"]}, \"P2\": {\"ipv4\": [\"0.0.0.0/0\"]}}}";
    private static final String DIRECTORY = "{\"meta\": {}, \"resources\": {"
            + "\"net\": {\"uri\": \"/net\", \"media-type\": \"application/alto-networkmap+json\"}}}";

    private ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Map<String, String> docs = new ConcurrentHashMap<>();
    /** The path whose next request is held unanswered, or null. */
    private final AtomicReference<String> stall = new AtomicReference<>();
    private final CountDownLatch held = new CountDownLatch(1);
    /** Counted down when the client closes the connection of a held request. */
    private final CountDownLatch cut = new CountDownLatch(1);

    @BeforeEach
    void serve() throws IOException {
        docs.put("/directory", DIRECTORY);
        docs.put("/net", NET);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RawSockets.daemon("abandoned-read-server", () -> {
            while (true) {
                Socket s = listener.accept();
                sockets.add(s);
                RawSockets.daemon("abandoned-read-connection", () -> connection(s));
            }
        });
    }

    /** Answers the requests of one keep-alive connection; a held one is never answered, and its end is noted. */
    private void connection(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        String head;
        while ((head = RawSockets.readHead(in)) != null) {
            String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            String s0 = stall.get();
            if (path.equals(s0) && stall.compareAndSet(s0, null)) {
                held.countDown();
                while (in.read() >= 0) {
                    // nothing more is expected on it: wait for the client to close it
                }
                cut.countDown();
                return;
            }
            String body = docs.get(path);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            out.write(((body == null ? "HTTP/1.1 404 Not Found" : "HTTP/1.1 200 OK") + "\r\ncontent-length: " + b.length
                    + "\r\ncontent-type: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
        }
    }

    @AfterEach
    void stop() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    @Test
    void aRequestGivenUpAtThePollsBoundHasItsConnectionClosedThen() throws Exception {
        try (UnsignedUpstreamMaps source = UnsignedUpstreamMaps.connect(URI.create("http://127.0.0.1:"
                + listener.getLocalPort() + "/directory"), null, REQUEST_TIMEOUT)) {
            source.load();
            stall.set("/net");
            docs.put("/net", NET.replace("10.0.0.0/8", "11.0.0.0/8").replace("n1", "n2"));
            source.withRoundTimeout(BOUND);
            IOException e = assertThrows(IOException.class, source::load);
            assertTrue(e.getMessage().contains("reading the maps took longer than 2s (at GET /net)"), e.getMessage());
            assertTrue(held.await(0, TimeUnit.SECONDS), "the server held the request");
            long givenUp = System.nanoTime();
            assertTrue(cut.await(WITHIN.toSeconds(), TimeUnit.SECONDS),
                    "the connection of the request given up was still open " + WITHIN.toSeconds() + " s after the poll"
                            + " gave it up (the client's timeout is " + REQUEST_TIMEOUT.toSeconds() + " s)");
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - givenUp);
            // the next poll reads the server on the connections the front still has
            source.withRoundTimeout(WITHIN);
            MapSet next = source.load();
            assertEquals("n2", next.networkMaps().get("net").vtag().tag(), "the next poll's read, closed after "
                    + closedAfter + " ms");
        }
    }
}
