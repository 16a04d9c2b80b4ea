package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.UpdatePublisherTest.signed;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.push.UpdatePublisherTest.RecordingSink;

/**
 * What an RFC 8895 client that knows nothing of this project's extensions meets at the
 * publisher: resuming with a vtag or any entity tag of the version it holds, versions told by
 * their bytes (an entity tag that changes at every signing is no new version), absolute control
 * URIs, POST-mode substreams, streams without signature events, the subscriber limit, and 405 for
 * anything but POST.
 */
class OrdinaryClientStreamTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String NM = "/networkmap/nm";
    private static final String PARAMS = "application/alto-updatestreamparams+json";
    private static final String DIRECTORY = "{\"meta\":{\"cost-types\":{\"num-rc\":{\"cost-metric\":\"routingcost\","
            + "\"cost-mode\":\"numerical\"}}},\"resources\":{"
            + "\"nm\":{\"uri\":\"http://origin.example/networkmap/nm\",\"media-type\":\"application/alto-networkmap+json\"},"
            + "\"later\":{\"uri\":\"http://origin.example/networkmap/later\",\"media-type\":\"application/alto-networkmap+json\"},"
            + "\"filtered\":{\"uri\":\"http://origin.example/costmap/filtered\",\"media-type\":\"application/alto-costmap+json\","
            + "\"accepts\":\"application/alto-costmapfilter+json\",\"capabilities\":{\"cost-type-names\":[\"num-rc\"]},"
            + "\"uses\":[\"nm\"]}}}";

    /** The node's document service as far as these tests need it: answers the filtered cost map from {@link #cost}. */
    private final AtomicInteger cost = new AtomicInteger(5);
    private final AtomicInteger computed = new AtomicInteger();
    private final AltoService documents = request -> {
        computed.incrementAndGet();
        if (!request.path().equals("/costmap/filtered") || !request.method().equals("POST")) {
            throw new AssertionError("unexpected " + request.method() + " " + request.path());
        }
        if (cost.get() < 0) {
            return CompletableFuture.completedFuture(Reply.error(AltoError.invalidValue("pids.srcs[0]", "PID1",
                    "no such PID"), Dialect.JSON));
        }
        if (!request.body().asUtf8().contains("\"cost-type\"")) {
            return CompletableFuture.completedFuture(Reply.error(AltoError.missingField("cost-type"), Dialect.JSON));
        }
        Bytes body = Bytes.utf8("{\"cost-map\":{\"PID1\":{\"PID2\":" + cost.get() + "}},\"meta\":{}}");
        return CompletableFuture.completedFuture(Reply.ok(new Representation(new Variant(body, null,
                List.of(new HeaderField("content-type", "application/alto-costmap+json"))), null, 60, T0, T0.plusSeconds(60))));
    };

    private UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
    private AltoService service = publisher.wrap(documents);

    @AfterEach
    void close() {
        publisher.close();
    }

    private void use(UpdateStreamConfig config) {
        publisher.close();
        publisher = new UpdatePublisher(config);
        service = publisher.wrap(documents);
    }

    private static Representation networkMap(String vtag, Instant created) {
        return signed(NM, "nm", "application/alto-networkmap+json",
                "{\"meta\":{\"vtag\":{\"resource-id\":\"nm\",\"tag\":\"" + vtag + "\"}},\"network-map\":{\"PID1\":{\"ipv4\":"
                        + "[\"10.0.0.0/8\"]}}}", created);
    }

    /** The same bytes signed again with an entity tag of its own, as an origin that tags every signing does. */
    private static Representation retagged(Representation r, String etag, Instant created) {
        Representation again = signed(NM, "nm", "application/alto-networkmap+json", r.identity().body().asUtf8(), created);
        List<HeaderField> h = again.identity().headers().stream()
                .map(f -> f.name().equals("etag") ? new HeaderField("etag", etag) : f).toList();
        return new Representation(new Variant(again.identity().body(), null, h), null, 60, created, created.plusSeconds(3600));
    }

    private Reply call(String path, String host, String body) throws Exception {
        return service.handle(new AltoRequest("POST", path, Map.of(), path, PARAMS, null, Bytes.utf8(body), host))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private RecordingSink subscribe(String params) throws Exception {
        return subscribe(params, "alto.example:8181");
    }

    private RecordingSink subscribe(String params, String host) throws Exception {
        Reply r = call("/updates", host, params);
        Reply.Stream stream = assertInstanceOf(Reply.Stream.class, r, String.valueOf(r));
        RecordingSink sink = new RecordingSink();
        stream.onOpen().accept(sink);
        return sink;
    }

    private static String type(String event) {
        return event.substring("event: ".length(), event.indexOf('\n'));
    }

    @Test
    void aClientResumingWithTheVtagItHoldsIsSentNoDocument() throws Exception {
        publisher.accept(NM, networkMap("v1", T0));
        RecordingSink sink = subscribe("{\"add\":{\"n\":{\"resource-id\":\"nm\",\"tag\":\"v1\"}},"
                + "\"alto-redist-signatures\":false}");
        assertEquals("application/alto-updatestreamcontrol+json", type(sink.next()));
        assertNull(sink.none(), "the client holds the current version");
        publisher.accept(NM, networkMap("v2", T0.plusSeconds(1)));
        String update = sink.next();
        assertTrue(update.startsWith("event: application/merge-patch+json,n\n")
                || update.startsWith("event: application/alto-networkmap+json,n\n"), update);
        assertTrue(update.contains("\"v2\""), update);
        assertFalse(update.contains("alto-redist-signature"), "this stream asked for no signature events");
    }

    @Test
    void aNewEntityTagForTheSameBytesIsARenewalAndEveryTagOfTheVersionIsKnown() throws Exception {
        Representation first = networkMap("v1", T0);
        publisher.accept(NM, first);
        publisher.accept(NM, retagged(first, "\"second-signing\"", T0.plusSeconds(1800)));
        // Quoted, as the ETag header had it: a tag with or without its quotes names the same version.
        RecordingSink withOld = subscribe("{\"add\":{\"n\":{\"resource-id\":\"nm\",\"tag\":\""
                + first.identity().etag().replace("\"", "\\\"") + "\"}}}");
        withOld.next();
        assertEquals("application/alto-redist-signature+json,n", type(withOld.next()),
                "an older entity tag of the held version: the new signature only");
        publisher.accept(NM, retagged(first, "\"third-signing\"", T0.plusSeconds(3600)));
        assertEquals("application/alto-redist-signature+json,n", type(withOld.next()), "a renewal is no new version");
        assertEquals(0, publisher.stats().updates());
    }

    @Test
    void theControlUriIsAbsoluteOnTheHostAskedForTheSchemeServedOrThePublicUri() throws Exception {
        publisher.accept(NM, networkMap("v1", T0));
        String add = "{\"add\":{\"n\":{\"resource-id\":\"nm\"}}}";
        assertTrue(subscribe(add, "alto.example:8181").next().contains("\"control-uri\":\"http://alto.example:8181/updates/control/"));
        assertTrue(subscribe(add, "[::1]:80").next().contains("\"control-uri\":\"http://[::1]:80/updates/control/"));
        assertTrue(subscribe(add, "bad host\"").next().contains("\"control-uri\":\"/updates/control/"),
                "no usable Host: the path, relative to the stream's URI");
        use(UpdateStreamConfig.defaults().withBase(true, null));
        publisher.accept(NM, networkMap("v1", T0));
        assertTrue(subscribe(add, "alto.example").next().contains("\"control-uri\":\"https://alto.example/updates/control/"));
        use(UpdateStreamConfig.defaults().withBase(true, "https://public.example/"));
        publisher.accept(NM, networkMap("v1", T0));
        String control = subscribe(add, "10.1.1.1:8181").next();
        assertTrue(control.contains("\"control-uri\":\"https://public.example/updates/control/"), control);
    }

    @Test
    void aQuerySubstreamGetsItsAnswerThenEachChangedAnswerComputedOnceForAllItsFollowers() throws Exception {
        publisher.accept("/directory", signed("/directory", "directory", "application/alto-directory+json", DIRECTORY, T0));
        publisher.accept(NM, networkMap("v1", T0));
        String params = "{\"add\":{\"f\":{\"resource-id\":\"filtered\",\"input\":{\"cost-type\":{\"cost-mode\":"
                + "\"numerical\",\"cost-metric\":\"routingcost\"},\"pids\":{\"srcs\":[\"PID1\"],\"dsts\":[\"PID2\"]}}}}}";
        RecordingSink a = subscribe(params);
        RecordingSink b = subscribe(params.replace("{\"srcs\":[\"PID1\"],\"dsts\":[\"PID2\"]}",
                "{\"dsts\":[\"PID2\"], \"srcs\":[\"PID1\"]}"));
        for (RecordingSink s : List.of(a, b)) {
            s.next();
            String first = s.next();
            assertEquals("{\"cost-map\":{\"PID1\":{\"PID2\":5}},\"meta\":{}}", first.split("\ndata: ")[1].split("\n")[0]);
            assertEquals("application/alto-costmap+json,f", type(first));
            assertFalse(first.contains("alto-redist-signature"), "answers are not signed: no signature event");
        }
        assertEquals(1, computed.get(), "one question, however many ask it");
        cost.set(9);
        publisher.accept(NM, networkMap("v2", T0.plusSeconds(1)));
        for (RecordingSink s : List.of(a, b)) {
            String update = s.next();
            assertTrue(update.contains("\"PID2\":9"), update);
            assertFalse(update.contains("alto-redist-signature"), update);
        }
        assertEquals(2, computed.get());
        publisher.accept(NM, networkMap("v3", T0.plusSeconds(2)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (computed.get() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(3, computed.get());
        assertNull(a.none(), "an answer with the same bytes is not sent again");
        assertNull(b.none());
        cost.set(-1);
        publisher.accept(NM, networkMap("v4", T0.plusSeconds(3)));
        for (RecordingSink s : List.of(a, b)) {
            String stopped = s.next();
            assertEquals("application/alto-updatestreamcontrol+json", type(stopped));
            assertTrue(stopped.contains("\"stopped\":[\"f\"]") && stopped.contains("no such PID"), stopped);
        }
    }

    /**
     * RFC 8895 §6.5: what cannot be a substream is refused, the whole request with it, naming the
     * field: a query resource asked for as a document (no {@code input}: the error a POST without
     * its input gets), its POST-only path named as a document, and the update stream itself,
     * however it is named. None opens a stream.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"add\":{\"q\":{\"resource-id\":\"filtered\"}}}                                | E_MISSING_FIELD       | add/q/input",
        "{\"add\":{\"q\":{\"resource-id\":\"filtered\",\"path\":\"/costmap/filtered\"}}} | E_INVALID_FIELD_VALUE | add/q/path",
        "{\"add\":{\"u\":{\"resource-id\":\"updates\"}}}                                 | E_INVALID_FIELD_VALUE | add/u/resource-id",
        "{\"add\":{\"u\":{\"resource-id\":\"updates\",\"path\":\"/updates\"}}}              | E_INVALID_FIELD_VALUE | add/u/path",
        "{\"add\":{\"u\":{\"resource-id\":\"updates\",\"input\":{}}}}                     | E_INVALID_FIELD_VALUE | add/u/resource-id",
        "{\"add\":{\"n\":{\"resource-id\":\"nm\"},\"u\":{\"resource-id\":\"updates\"}}}     | E_INVALID_FIELD_VALUE | add/u/resource-id",
    })
    void whatCannotBeASubstreamIsRefusedNamingTheField(String params, AltoErrorCode code, String field) throws Exception {
        String directory = DIRECTORY.substring(0, DIRECTORY.length() - 2) + ",\"updates\":{\"uri\":\"/updates\","
                + "\"media-type\":\"text/event-stream\",\"accepts\":\"application/alto-updatestreamparams+json\","
                + "\"uses\":[\"nm\"],\"capabilities\":{\"support-stream-control\":true}}}}";
        publisher.accept("/directory", signed("/directory", "directory", "application/alto-directory+json", directory, T0));
        publisher.accept(NM, networkMap("v1", T0));
        Reply.Error e = assertInstanceOf(Reply.Error.class, call("/updates", "h", params));
        assertEquals(code, e.error().code(), e.error().toString());
        assertEquals(field, e.error().field(), e.error().toString());
        assertEquals(400, e.error().httpStatus());
        assertEquals(0, publisher.stats().subscribers());
        assertEquals(0, computed.get(), "no query asked");
    }

    /**
     * RFC 8895 §6.3: the update stream's directory entry says, in
     * {@code incremental-change-media-types}, which resources it sends merge patches for; a client
     * following it gets full replacements for any other, even when it asks for incremental changes.
     */
    @Test
    void mergePatchesGoOnlyToResourcesTheDirectoryAdvertisesThemFor() throws Exception {
        String directory = DIRECTORY.substring(0, DIRECTORY.length() - 2) + ",\"updates\":{\"uri\":\"/updates\","
                + "\"media-type\":\"text/event-stream\",\"accepts\":\"application/alto-updatestreamparams+json\","
                + "\"uses\":[\"later\",\"nm\"],\"capabilities\":{\"incremental-change-media-types\":"
                + "{\"nm\":\"application/merge-patch+json\"},\"support-stream-control\":true}}}}";
        publisher.accept("/directory", signed("/directory", "directory", "application/alto-directory+json", directory, T0));
        publisher.accept(NM, bigMap(NM, "nm", "v1", T0));
        publisher.accept("/networkmap/later", bigMap("/networkmap/later", "later", "v1", T0));
        RecordingSink sink = subscribe("{\"add\":{\"n\":{\"resource-id\":\"nm\"},\"l\":{\"resource-id\":\"later\","
                + "\"incremental-changes\":true}},\"alto-redist-signatures\":false}");
        sink.next();
        Set<String> first = Set.of(type(sink.next()), type(sink.next()));
        assertEquals(Set.of("application/alto-networkmap+json,n", "application/alto-networkmap+json,l"), first);
        publisher.accept(NM, bigMap(NM, "nm", "v2", T0.plusSeconds(1)));
        assertEquals("application/merge-patch+json,n", type(sink.next()), "advertised: a patch, being smaller");
        publisher.accept("/networkmap/later", bigMap("/networkmap/later", "later", "v2", T0.plusSeconds(1)));
        String later = sink.next();
        assertEquals("application/alto-networkmap+json,l", type(later), "not advertised: the full document");
        assertTrue(later.contains("\"v2\""), later);
    }

    /** A network map of many PIDs, so that a new tag alone is a patch far smaller than the map. */
    private static Representation bigMap(String target, String id, String vtag, Instant created) {
        StringBuilder pids = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            pids.append(i == 0 ? "" : ",").append("\"PID").append(i).append("\":{\"ipv4\":[\"10.").append(i).append(".0.0/16\"]}");
        }
        return signed(target, id, "application/alto-networkmap+json",
                "{\"meta\":{\"vtag\":{\"resource-id\":\"" + id + "\",\"tag\":\"" + vtag + "\"}},\"network-map\":{" + pids + "}}",
                created);
    }

    @Test
    void aBadInputGetsTheQueryResourcesErrorUnderTheSubstreamsInput() throws Exception {
        publisher.accept("/directory", signed("/directory", "directory", "application/alto-directory+json", DIRECTORY, T0));
        Reply.Error missing = assertInstanceOf(Reply.Error.class,
                call("/updates", "h", "{\"add\":{\"f\":{\"resource-id\":\"filtered\",\"input\":{\"pids\":{}}}}}"));
        assertEquals(AltoErrorCode.E_MISSING_FIELD, missing.error().code());
        assertEquals("add/f/input/cost-type", missing.error().field());
        Reply.Error noInput = assertInstanceOf(Reply.Error.class,
                call("/updates", "h", "{\"add\":{\"f\":{\"resource-id\":\"nm\",\"input\":{}}}}"));
        assertEquals("add/f/input", noInput.error().field());
        assertEquals(0, publisher.stats().subscribers());
    }

    @Test
    void aListedDocumentNotHeldYetIsFollowedAndSentWhenItArrives() throws Exception {
        publisher.accept("/directory", signed("/directory", "directory", "application/alto-directory+json", DIRECTORY, T0));
        RecordingSink sink = subscribe("{\"add\":{\"l\":{\"resource-id\":\"later\"}}}");
        sink.next();
        assertTrue(publisher.followedTargets().contains("/networkmap/later"), String.valueOf(publisher.followedTargets()));
        RecordingSink byPath = subscribe("{\"add\":{\"p\":{\"resource-id\":\"later\",\"path\":\"/networkmap/later\"}}}");
        byPath.next();
        Reply.Error elsewhere = assertInstanceOf(Reply.Error.class, call("/updates", "h",
                "{\"add\":{\"p\":{\"resource-id\":\"later\",\"path\":\"/networkmap/elsewhere\"}}}"));
        assertEquals("add/p/path", elsewhere.error().field());
        publisher.accept("/networkmap/later", signed("/networkmap/later", "later", "application/alto-networkmap+json",
                "{\"network-map\":{}}", T0));
        String control = sink.next();
        assertTrue(control.contains("alto-redist-documents"), control);
        assertTrue(sink.next().startsWith("event: application/alto-networkmap+json,l\n"));
        byPath.next();
        assertTrue(byPath.next().startsWith("event: application/alto-networkmap+json,p\n"), "a push proxy names it by path");
        byPath.close();
        sink.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!publisher.followedTargets().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(publisher.followedTargets().isEmpty(), "followed no more once the subscriber left");
    }

    @Test
    void subscribersBeyondTheLimitAre503NamingIt() throws Exception {
        use(UpdateStreamConfig.defaults().withMaxSubscribers(1));
        publisher.accept(NM, networkMap("v1", T0));
        subscribe("{\"add\":{\"n\":{\"resource-id\":\"nm\"}}}").next();
        Reply.Error full = assertInstanceOf(Reply.Error.class, call("/updates", "h", "{\"add\":{\"n\":{\"resource-id\":\"nm\"}}}"));
        assertEquals(503, full.error().httpStatus());
        assertTrue(full.error().message().contains("at most 1 update streams"), full.error().message());
        assertTrue(UpdateStreamConfig.subscribersForHeap(1L << 30) >= 20_000, "a 1 GB heap serves 20,000 subscribers");
    }

    @Test
    void anythingButPostIs405WithAllowPost() throws Exception {
        for (String path : List.of("/updates", "/updates/control/x")) {
            Reply.Error e = assertInstanceOf(Reply.Error.class, service.handle(new AltoRequest("GET", path, Map.of(),
                    path, null, null, Bytes.empty())).toCompletableFuture().get(5, TimeUnit.SECONDS));
            assertEquals(405, e.error().httpStatus());
            assertEquals("POST", e.allow());
        }
    }
}
