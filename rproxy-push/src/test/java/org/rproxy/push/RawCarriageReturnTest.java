package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.LoopbackUpstream.NM;
import static org.rproxy.push.LoopbackUpstream.await;
import static org.rproxy.push.LoopbackUpstream.networkMap;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.stream.SseParser;
import org.rproxy.core.testing.MutableClock;

/**
 * A version whose bytes hold a raw CR (a document another origin wrote with CRLF line ends, which
 * a proxy hands on as signed) cannot travel as event stream data: a reader ends a data line at
 * CR, LF or CRLF alike, so the bytes it joins are not the bytes signed. The publisher used to send
 * the signature event of that version alone, without its body: a plain RFC 8895 client was told
 * nothing of the version it missed, and rproxy's own feed verified the signature against the
 * bytes it held, refused the update as tampered ("digest mismatch") and put the substream back
 * on the held version, to be sent the same again. Now the substream is stopped, saying why, and
 * no signature event goes out for bytes not sent; once a version that travels comes, the document
 * is offered again, and a push feed follows it from the version it holds. A real publisher on
 * the real front end over loopback, read by a plain SSE reader and by a real {@link PushFeed}.
 */
class RawCarriageReturnTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void aVersionWithARawCrStopsItsSubstreamsLoudlyAndTheNextVersionThatTravelsIsFollowedAgain() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (LoopbackUpstream upstream = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0)) {
            upstream.publish(NM, "nm", networkMap(1, 1), T0);
            PushFeed feed = new PushFeed(PushFeedConfig.of(upstream.uri()), new ResponseVerifier(
                    List.of(upstream.origin.publicKey()), new MutableClock(T0.plusSeconds(10))), copy -> { },
                    new ManualScheduler(), () -> 0.5);
            BlockingQueue<SseParser.Event> plain = new LinkedBlockingQueue<>();
            InputStream stream = http.send(HttpRequest.newBuilder(upstream.uri().resolve("/updates"))
                    .header("Content-Type", MediaTypes.UPDATE_STREAM_PARAMS)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"add\":{\"m\":{\"resource-id\":\"nm\"}}}"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream()).body();
            Thread reader = new Thread(() -> read(stream, plain), "plain-sse-reader");
            reader.setDaemon(true);
            reader.start();
            try {
                feed.begin();
                await("V1 held", () -> createdHeld(feed, T0));
                assertEquals("application/alto-networkmap+json,m", next(plain, e -> e.type().endsWith(",m")).type());
                assertEquals(SignatureEvent.MEDIA_TYPE + ",m", next(plain, e -> e.type().endsWith(",m")).type());

                // V2: the same map written with CRLF line ends, signed as it is.
                Bytes crlf = Bytes.utf8(networkMap(2, 2).replace(",", ",\r\n"));
                upstream.publisher.accept(NM, upstream.origin.sign(AltoResource.of("nm", NM), crlf, false,
                        T0.plusSeconds(1), Duration.ofDays(1), 60));

                SseParser.Event stop = next(plain, e -> e.type().endsWith(",m") || e.data().asUtf8().contains("stopped"));
                JsonNode control = Jcs.parse(stop.data().unsafeArray());
                assertEquals(MediaTypes.UPDATE_STREAM_CONTROL, stop.type());
                assertEquals("m", control.path("stopped").path(0).asText(), control.toString());
                assertTrue(control.path("description").asText().contains("CR"), control.toString());

                // V3 travels again: the feed follows the map again, from the version it holds.
                Representation v3 = upstream.publish(NM, "nm", networkMap(3, 3), T0.plusSeconds(2));
                await("V3 held", () -> createdHeld(feed, v3.created()));
                PushFeed.Stats s = feed.stats();
                assertEquals(0, s.rejected(), "nothing was verified against bytes it does not sign: " + s);
                assertEquals(0, s.resyncs(), "no substream was put back on a version: " + s);
                assertFalse(plain.stream().anyMatch(e -> e.type().startsWith(SignatureEvent.MEDIA_TYPE)),
                        "no signature event after the stop: " + plain);
            } finally {
                feed.close();
                upstream.publisher.close(); // ends the plain reader's stream, which the server would wait for
                stream.close();
            }
        }
    }

    private static boolean createdHeld(PushFeed feed, Instant created) {
        Representation r = feed.held().get(NM);
        return r != null && r.created().equals(created);
    }

    /** The next event of the plain reader that is {@code wanted}, those before it skipped. */
    private static SseParser.Event next(BlockingQueue<SseParser.Event> events, Predicate<SseParser.Event> wanted)
            throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            SseParser.Event e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                break;
            }
            if (wanted.test(e)) {
                return e;
            }
        }
        throw new AssertionError("the event waited for never came; left: " + events);
    }

    private static void read(InputStream in, BlockingQueue<SseParser.Event> out) {
        SseParser parser = new SseParser(1 << 20, out::add, () -> { });
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                parser.feed(buf, 0, n);
            }
        } catch (java.io.IOException e) {
            // closed by the test
        }
    }
}
