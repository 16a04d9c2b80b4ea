package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;
import org.rproxy.push.UpdatePublisher;
import org.rproxy.push.UpdateStreamConfig;

/**
 * A source whose update stream cannot be read as one is that source's fault, like a bad
 * signature: the client drops the stream, cools the source down and follows the next source's
 * stream (here the origin's, honest), which is not blamed. The malformed source is a real HTTP
 * server on loopback (a thread of this test) that answers its stream's head and the events given,
 * then keeps the connection open, as a source that goes on sending heartbeats would. One that
 * sends nothing at all after its head is closed by the client for silence, which says so, and is
 * not blamed for it.
 */
class MalformedStreamTest {
    private static final int MAX_EVENT = 64 * 1024;
    private static final String COSTS = "routingcost-map";

    /** What the malformed source sends after its stream's head. */
    enum Stream {
        LINE_OVER_THE_LIMIT("event: application/merge-patch+json," + COSTS + "\ndata: {\"x\":\"" + "x".repeat(MAX_EVENT)
                + "\"}\n\n"),
        PATCH_NOT_JSON("event: application/merge-patch+json," + COSTS + "\ndata: {\"cost-map\":\n\n"
                + "event: application/alto-redist-signature+json," + COSTS + "\ndata: {\"identity\":{},\"max-age\":60}\n\n"),
        SIGNATURE_EVENT_NOT_JSON("event: application/merge-patch+json," + COSTS + "\ndata: {}\n\n"
                + "event: application/alto-redist-signature+json," + COSTS + "\ndata: signed, trust me\n\n"),
        EVENT_WITH_NO_TYPE("data: {\"cost-map\":{}}\n\n"),
        EVENT_OF_AN_UNKNOWN_TYPE("event: text/html," + COSTS + "\ndata: <p>costs</p>\n\n");

        final String events;

        Stream(String events) {
            this.events = events;
        }
    }

    @TempDir
    Path dir;
    @AutoClose
    private final Started started = new Started();

    @ParameterizedTest
    @EnumSource(Stream.class)
    void aSourceWhoseStreamCannotBeReadIsLeftAndCoolsDownAndTheNextSourceIsFollowed(Stream stream) throws Exception {
        MalformedSource bad = started.add(new MalformedSource(stream.events));
        Origin origin = origin(List.of(bad.uri().toString()));
        URI originUri = URI.create(origin.baseUri());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withMaxEventBytes(MAX_EVENT).withReadTimeout(Duration.ofSeconds(2))
                .withPollInterval(Duration.ofSeconds(1))));
        assertTrue(c.directory().resources().containsKey(COSTS), "the substream the malformed events name");
        assertEquals(5.0, c.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow());
        assertEquals(List.of(bad.uri(), originUri), c.sourceOrder(), "the malformed source is asked first");

        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        URI badStream = Sources.at(bad.uri(), "/updates");
        URI originStream = Sources.at(originUri, "/updates");
        assertEquals(Optional.of(badStream.toString()), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);
        assertEquals(Optional.of(originStream.toString()), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);

        ClientException why = heard.refused.poll(0, TimeUnit.SECONDS);
        assertTrue(why instanceof ClientException.InvalidResponse && why.uri().equals(badStream), () -> String.valueOf(why));
        assertTrue(c.health().coolingDown(bad.uri()), "left as a tampering source is");
        assertEquals(1, bad.subscriptions(), "and not subscribed to again");
        assertFalse(c.health().coolingDown(originUri), "the honest source is not blamed");
        assertEquals(0, c.health().recentFailures(originUri));

        // the origin's stream carries the next change
        LocalOrigin.writeCosts(maps, 7);
        heard.awaitCost(7);
        assertEquals(List.of(), List.copyOf(heard.refused), "nothing else refused");
    }

    /**
     * A source that stops the substream of a map the client follows (RFC 8895 §6.3; an rproxy node
     * does so for a version whose bytes an event stream cannot carry) no longer sends that map on
     * the stream: the client used to stay on it, hearing nothing of the map until it ran late. Now
     * it leaves the stream, blaming no one, and the next source's stream carries the map.
     */
    @Test
    void aSourceThatStopsAFollowedSubstreamIsLeftUnblamedAndTheNextSourceIsFollowed() throws Exception {
        MalformedSource stopping = started.add(new MalformedSource("event: application/alto-updatestreamcontrol+json\n"
                + "data: {\"stopped\":[\"" + COSTS + "\"],\"description\":\"its version has a raw CR\"}\n\n"));
        AltoClient c = clientAskingFirst(stopping, Duration.ofSeconds(2));
        URI originUri = c.sourceOrder().get(1);
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        URI stoppingStream = Sources.at(stopping.uri(), "/updates");
        assertEquals(Optional.of(stoppingStream.toString()), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);
        assertEquals(Optional.of(Sources.at(originUri, "/updates").toString()), heard.following.poll(30, TimeUnit.SECONDS),
                heard::toString);
        ClientException why = heard.await(ClientException.Unreachable.class);
        assertEquals(stoppingStream, why.uri());
        assertTrue(why.reason().contains("stopped the substream") && why.reason().contains("raw CR"), why.reason());
        assertFalse(c.health().coolingDown(stopping.uri()), "a stop is no tampering");
        assertEquals(1, stopping.subscriptions(), "and the source is not subscribed to again at once");

        LocalOrigin.writeCosts(maps, 7);
        heard.awaitCost(7);
    }

    @Test
    void aStreamClosedForSilenceIsReportedAsSuchAndItsSourceIsNotBlamed() throws Exception {
        MalformedSource silent = started.add(new MalformedSource("")); // its head, then nothing
        AltoClient c = clientAskingFirst(silent, Duration.ofMillis(1500));
        HeardUpdates heard = new HeardUpdates();
        started.add(c.follow(heard));
        URI silentStream = Sources.at(silent.uri(), "/updates");
        assertEquals(Optional.of(silentStream.toString()), heard.following.poll(30, TimeUnit.SECONDS), heard::toString);
        ClientException why = heard.await(ClientException.Unreachable.class);
        assertEquals(silentStream, why.uri());
        assertEquals("unreachable: no event or heartbeat for 1.5 s (the read timeout), so this client took the stream"
                + " for dead and closed it; if the source was only quiet, set the read timeout"
                + " (ClientOptions.withReadTimeout) to about twice its heartbeat interval (10 s by default for the"
                + " origin's and the proxies' streams)", why.reason());
        assertFalse(c.health().coolingDown(silent.uri()), "silence is not taken for tampering");
        assertEquals(0, c.health().recentFailures(silent.uri()), "nor counted against the source, as before");
    }

    private Path maps;

    /** A client of an origin listing {@code source} alone, which it asks first, its maps fetched. */
    private AltoClient clientAskingFirst(MalformedSource source, Duration readTimeout) throws IOException {
        Origin origin = origin(List.of(source.uri().toString()));
        URI originUri = URI.create(origin.baseUri());
        AltoClient c = started.add(AltoClient.bootstrap(ClientOptions.of(originUri, KeyPin.ofKeyId(origin.keyId()))
                .withReadTimeout(readTimeout).withPollInterval(Duration.ofSeconds(1))));
        c.refreshMaps();
        assertEquals(List.of(source.uri(), originUri), c.sourceOrder(), "the source is asked first");
        return c;
    }

    /** A signing origin with an update stream publisher, listing {@code proxies}. */
    private Origin origin(List<String> proxies) throws IOException {
        maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("default-network-map.json"), LocalOrigin.networkMap("128.36.1.0/24"));
        LocalOrigin.writeCosts(maps, 5);
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        Path priv = Files.writeString(dir.resolve("origin.key"), key.toPkcs8Pem());
        UpdatePublisher publisher = started.add(new UpdatePublisher(UpdateStreamConfig.defaults()));
        return started.add(Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, priv,
                Duration.ofHours(1), Duration.ofSeconds(60), proxies, "malformed-stream-test", null),
                Clock.systemUTC(), publisher));
    }

    /**
     * Answers a POST (a subscription) with a {@code text/event-stream} head and {@code events},
     * then holds the connection until closed; any other request with a 503.
     */
    private static final class MalformedSource implements AutoCloseable {
        private final ServerSocket server;
        private final byte[] events;
        private final CountDownLatch closed = new CountDownLatch(1);
        private final List<Socket> open = new ArrayList<>();
        private int subscriptions;

        MalformedSource(String events) throws IOException {
            this.events = events.getBytes(StandardCharsets.UTF_8);
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        synchronized (this) {
                            open.add(s);
                        }
                        Thread answer = new Thread(() -> answer(s), "malformed-answer");
                        answer.setDaemon(true);
                        answer.start();
                    } catch (IOException gone) {
                        return;
                    }
                }
            }, "malformed-accept");
            t.setDaemon(true);
            t.start();
        }

        private void answer(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                byte[] request = new byte[8192];
                int n = in.read(request);
                if (n > 4 && new String(request, 0, 5, StandardCharsets.US_ASCII).equals("POST ")) {
                    synchronized (this) {
                        subscriptions++;
                    }
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(events);
                    out.flush();
                    closed.await();
                } else {
                    out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException | InterruptedException gone) {
                // the client hung up, or the test is over
            }
        }

        synchronized int subscriptions() {
            return subscriptions;
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
        }

        @Override
        public void close() throws IOException {
            closed.countDown();
            server.close();
            synchronized (this) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
