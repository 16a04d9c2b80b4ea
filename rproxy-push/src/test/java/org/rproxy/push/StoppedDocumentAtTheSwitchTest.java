package org.rproxy.push;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.store.Representation;
import org.rproxy.core.stream.Sse;
import org.rproxy.core.stream.SignatureEvent;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.MutableClock;
import org.rproxy.core.testing.TestSigner;

/**
 * A document the working stream's upstream stops while a preferred upstream's stream is on trial
 * (the feed follows it no more), and which that stream's upstream does not announce (an RFC 8895
 * upstream without this project's {@code alto-redist-documents} extension), is removed from that
 * stream at the switch by a control request ({@link TrialHandOver}). Until the upstream acts on
 * the request, its stream may still carry the document's updates; so may the update the stream
 * proved itself with. None of them is handed on: from the switch on, the feed takes updates of the
 * documents it follows only, as on the stream it replaced, which carried none once stopped. They
 * were verified and handed on (never an older version: the receiver's rollback rule holds), so a
 * document the feed had stopped following came back after its stop, and a downstream that had
 * seen it gone meanwhile (a push proxy's pull half, answered 404, stops its substreams) could take
 * it as a new document again.
 * Real sockets: the fallback is a {@link LoopbackUpstream}; the preferred upstream a {@link
 * HostileUpstream} relaying the same origin's signed directory and writing that origin's signed
 * updates, whose script holds each event until the test has brought the feed where it must be.
 */
@ExtendWith(TwoUpstreamFeed.ReturnsLogged.class)
class StoppedDocumentAtTheSwitchTest {

    private static final Instant T0 = TwoUpstreamFeed.T0;
    /** A document neither upstream's directory lists: announced by the fallback, stopped by it during the trial. */
    private static final String EXTRA = "/networkmap/extra";
    private static final Instant STOP_READ = T0.plusSeconds(10);
    private static final Instant LATER = T0.plusSeconds(30);

    /**
     * {@code proof}: what proves the preferred upstream's stream; {@code heartbeat}: a heartbeat,
     * and the stopped document's update follows on the stream once the removal was asked for;
     * {@code update}: that update itself, held by the trial and handed on at the switch.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heartbeat", "update"})
    void updatesOfADocumentStoppedDuringATrialAreNotHandedOnAfterTheSwitch(String proof) throws Exception {
        TestSigner origin = new TestSigner();
        List<String> handedOn = new CopyOnWriteArrayList<>();
        CountDownLatch stopRead = new CountDownLatch(1);
        CountDownLatch removalAsked = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        AtomicReference<String> extraUpdate = new AtomicReference<>();
        AtomicReference<String> marker = new AtomicReference<>();
        AtomicInteger streams = new AtomicInteger();
        try (LoopbackUpstream fallback = new LoopbackUpstream(UpdateStreamConfig.defaults(), T0, origin)) {
            fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(1, 1), T0);
            fallback.publish(EXTRA, "extra", LoopbackUpstream.networkMap(9, 9), T0);
            byte[] directory = HostileUpstream.answerOf(fallback.uri().resolve(StreamDiscovery.DIRECTORY));
            try (HostileUpstream preferred = new HostileUpstream((line, out, n) -> {
                     if (line.startsWith("GET " + StreamDiscovery.DIRECTORY + " ")) {
                         HostileUpstream.replay(directory, out);
                     } else if (line.startsWith("POST /updates/control/")) {
                         removalAsked.countDown();
                         await(written); // the stream's updates go first: the removal is not acted on yet
                         out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
                         out.flush();
                         throw new EOFException("answered");
                     } else if (line.startsWith("POST /updates ")) {
                         if (streams.incrementAndGet() == 1) {
                             throw new EOFException("the feed's first stream: lost, so it goes to the fallback");
                         }
                         trialStream(out, proof, stopRead, removalAsked, extraUpdate, marker);
                         written.countDown();
                     }
                 });
                 CapturedLogs logs = CapturedLogs.of(UpstreamChoice.class)) {
                ResponseVerifier verifier = new ResponseVerifier(List.of(origin.publicKey()),
                        new MutableClock(T0.plusSeconds(60)));
                try (TwoUpstreamFeed two = new TwoUpstreamFeed(preferred.uri(), List.of(fallback.uri()), verifier,
                        copy -> handedOn.add(copy.target() + " " + copy.representation().created()))) {
                    PushFeed f = two.feed;
                    two.begin();
                    two.onFallback();
                    LoopbackUpstream.await("the extra document held from the fallback", () -> f.held().get(EXTRA) != null);
                    two.healthCheck("the health check");
                    LoopbackUpstream.await("the preferred upstream's stream on trial", () -> streams.get() == 2);
                    String subscription = preferred.lastBody("POST /updates ");
                    String extraId = substreamId(subscription, EXTRA);
                    String nmId = substreamId(subscription, LoopbackUpstream.NM);

                    // stopped by the fallback during the trial; the update after it on the same
                    // stream shows the feed has read the stop
                    fallback.publisher.remove(EXTRA);
                    fallback.publish(LoopbackUpstream.NM, "nm", LoopbackUpstream.networkMap(3, 1), STOP_READ);
                    LoopbackUpstream.await("the fallback's stop read", () -> STOP_READ.equals(created(f, LoopbackUpstream.NM)));
                    int handedOnAtTheStop = handedOn.size();

                    extraUpdate.set(events(origin, EXTRA, "extra", extraId, LoopbackUpstream.networkMap(9, 7)));
                    marker.set(events(origin, LoopbackUpstream.NM, "nm", nmId, LoopbackUpstream.networkMap(5, 1)));
                    stopRead.countDown();
                    logs.awaitMessage("back on upstream " + preferred.uri(), Duration.ofSeconds(10));
                    LoopbackUpstream.await("off the fallback", () -> fallback.publisher.stats().subscribers() == 0);
                    // the network map's update came after the stopped document's on the stream: once
                    // it is held, the feed has read everything the stream sent
                    LoopbackUpstream.await("the update after it held", () -> LATER.equals(created(f, LoopbackUpstream.NM)));

                    assertEquals(0, removalAsked.getCount(), "the stopped document was removed from the stream");
                    assertEquals(List.of(LoopbackUpstream.NM + " " + LATER),
                            handedOn.subList(handedOnAtTheStop, handedOn.size()),
                            "handed on after the stop: the network map's update only");
                    assertEquals(T0, created(f, EXTRA), "the stopped document stays at the version held at its stop");
                    assertTrue(f.stats().connected());
                    assertEquals(2, streams.get(), "the trial's stream kept, no new subscription");
                    assertEquals(0, f.stats().rejected());
                }
            }
        }
    }

    /**
     * The trial's stream: accepted once the test has the fallback's stop read (a control URI, no
     * documents announced), proved by {@code proof}, the stopped document's update written after
     * the removal was asked for (or as the proof), then the network map's as a marker.
     */
    private static void trialStream(OutputStream out, String proof, CountDownLatch stopRead, CountDownLatch removalAsked,
                                    AtomicReference<String> extraUpdate, AtomicReference<String> marker)
            throws IOException, InterruptedException {
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(US_ASCII));
        out.flush();
        await(stopRead);
        HostileUpstream.chunk(out, "event: application/alto-updatestreamcontrol+json\n"
                + "data: {\"control-uri\":\"/updates/control/1\"}\n\n");
        if (proof.equals("heartbeat")) {
            HostileUpstream.chunk(out, ":\n\n");
            await(removalAsked);
            HostileUpstream.chunk(out, extraUpdate.get());
        } else {
            HostileUpstream.chunk(out, extraUpdate.get());
            await(removalAsked);
        }
        HostileUpstream.chunk(out, marker.get());
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test did not get there in 10 s");
        }
    }

    /** The update of {@code target}, signed by {@code origin} at {@link #LATER}: its document event and signature event. */
    private static String events(TestSigner origin, String target, String resourceId, String substream, String body) {
        Bytes jcs = Bytes.wrap(Jcs.canonicalize(body.getBytes(StandardCharsets.UTF_8)));
        Representation r = origin.sign(AltoResource.of(resourceId, target), jcs, false, LATER, Duration.ofDays(1), 60);
        return Sse.event(MediaTypes.NETWORK_MAP, substream, r.identity().body()).asUtf8()
                + Sse.event(SignatureEvent.MEDIA_TYPE, substream, SignatureEvent.of(r).toJson()).asUtf8();
    }

    /** The id the subscription {@code body} gives {@code target}'s substream (RFC 8785 form: {@code path} first). */
    private static String substreamId(String body, String target) {
        Matcher m = Pattern.compile("\"([^\"]+)\":\\{\"path\":\"" + Pattern.quote(target) + "\"").matcher(body);
        assertTrue(m.find(), target + " in " + body);
        return m.group(1);
    }

    private static Instant created(PushFeed feed, String target) {
        Representation r = feed.held().get(target);
        assertNotNull(r, target + " held");
        return r.created();
    }
}
