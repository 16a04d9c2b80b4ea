package org.rproxy.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rproxy.push.UpdatePublisherTest.signed;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.MediaTypes;
import org.rproxy.core.server.AltoRequest;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.Variant;
import org.rproxy.push.UpdatePublisherTest.RecordingSink;

/**
 * The query answers POST-mode substreams follow, bounded node-wide: inputs that ask the same
 * question with their PID lists in another order or with repeats are one answer (they were one
 * each, each held and computed again at every change); a new input past
 * {@link QueryAnswers#MAX_ANSWERS} answers, or past the bytes held, is refused with 503 while an
 * input already followed is still taken; an input the query code refuses reaches it as sent.
 */
class QueryAnswerLimitsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String PARAMS = "application/alto-updatestreamparams+json";
    private static final String DIRECTORY = "{\"meta\":{},\"resources\":{"
            + "\"filtered\":{\"uri\":\"http://origin.example/costmap/filtered\",\"media-type\":\"application/alto-costmap+json\","
            + "\"accepts\":\"application/alto-costmapfilter+json\",\"uses\":[]}}}";
    private static final String COST_TYPE = "\"cost-type\":{\"cost-mode\":\"numerical\",\"cost-metric\":\"routingcost\"}";

    /** Every input the node's document service was asked, in order. */
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final AltoService documents = request -> {
        asked.add(request.body().asUtf8());
        return CompletableFuture.completedFuture(Reply.ok(answer(100)));
    };
    private final UpdatePublisher publisher = new UpdatePublisher(UpdateStreamConfig.defaults());
    private final AltoService service = publisher.wrap(documents);

    @AfterEach
    void close() {
        publisher.close();
    }

    private static Representation answer(int bytes) {
        Bytes body = Bytes.utf8("{\"cost-map\":{},\"meta\":{\"pad\":\"" + "x".repeat(bytes) + "\"}}");
        return new Representation(new Variant(body, null, List.of(new HeaderField("content-type",
                "application/alto-costmap+json"))), null, 60, T0, T0.plusSeconds(60));
    }

    private Reply open(String body) throws Exception {
        publisher.accept("/directory", signed("/directory", "directory", "application/alto-directory+json", DIRECTORY, T0));
        return service.handle(new AltoRequest("POST", "/updates", Map.of(), "/updates", PARAMS, null, Bytes.utf8(body)))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A stream following the filtered cost map for each of {@code srcs} (a JSON array each). */
    private static String follow(String... srcs) {
        StringBuilder b = new StringBuilder("{\"add\":{");
        for (int i = 0; i < srcs.length; i++) {
            b.append(i > 0 ? "," : "").append("\"f").append(i).append("\":{\"resource-id\":\"filtered\",\"input\":{")
                    .append(COST_TYPE).append(",\"pids\":{\"srcs\":").append(srcs[i]).append("}}}");
        }
        return b.append("}}").toString();
    }

    @Test
    void inputsListingTheSamePidsInAnotherOrderOrTwiceAreOneAnswer() throws Exception {
        assertInstanceOf(Reply.Stream.class, open(follow("[\"PID2\",\"PID1\",\"PID1\"]")));
        assertInstanceOf(Reply.Stream.class, open(follow("[\"PID1\",\"PID2\"]", "[\"PID2\",\"PID2\",\"PID1\"]")));
        assertEquals(List.of("{\"cost-type\":{\"cost-metric\":\"routingcost\",\"cost-mode\":\"numerical\"},"
                + "\"pids\":{\"srcs\":[\"PID1\",\"PID2\"]}}"), asked,
                "one question, asked once, in its normal form");
    }

    @Test
    void anInputTheQueryCodeRefusesIsAskedAsSentSoItsErrorNamesWhatTheClientSent() {
        Bytes refused = Bytes.utf8("{" + COST_TYPE + ",\"pids\":{\"srcs\":[\"PID2\",\"not a pid\",\"PID1\"]}}");
        assertEquals(refused, QueryInputs.normal(MediaTypes.COST_MAP_FILTER, refused));
        Bytes endpoints = Bytes.utf8("{\"endpoints\":[\"ipv4:10.0.0.2\",\"ipv4:10.0.0.1\",\"ipv4:10.0.0.2\"],"
                + "\"properties\":[\"nm.pid\"]}");
        assertEquals("{\"endpoints\":[\"ipv4:10.0.0.1\",\"ipv4:10.0.0.2\"],\"properties\":[\"nm.pid\"]}",
                QueryInputs.normal(MediaTypes.ENDPOINT_PROP_PARAMS, endpoints).asUtf8());
        Bytes constraints = Bytes.utf8("{\"constraints\":[\"le 9\",\"le 9\"]," + COST_TYPE + "}");
        assertEquals(constraints, QueryInputs.normal(MediaTypes.COST_MAP_FILTER, constraints),
                "constraints are counted against their limit, repeats included: kept as sent");
    }

    @Test
    void aNewInputPastTheNodesAnswersIs503AndAnInputAlreadyFollowedIsStillTaken() throws Exception {
        int perStream = StreamService.SUBSTREAMS_BEYOND_DOCUMENTS;
        RecordingSink first = null;
        for (int from = 0; from < QueryAnswers.MAX_ANSWERS; from += perStream) {
            String[] srcs = new String[perStream];
            for (int i = 0; i < perStream; i++) {
                srcs[i] = "[\"P" + (from + i) + "\"]";
            }
            Reply.Stream stream = assertInstanceOf(Reply.Stream.class, open(follow(srcs)));
            RecordingSink sink = new RecordingSink();
            stream.onOpen().accept(sink);
            first = first == null ? sink : first;
        }
        assertEquals(QueryAnswers.MAX_ANSWERS, asked.size());
        Reply.Error full = assertInstanceOf(Reply.Error.class, open(follow("[\"P0\"]", "[\"another\"]")));
        assertEquals(503, full.error().httpStatus());
        assertTrue(full.error().message().contains("at most " + QueryAnswers.MAX_ANSWERS + " query answers"),
                full.error().message());
        assertInstanceOf(Reply.Stream.class, open(follow("[\"P0\"]", "[\"P1023\",\"P1023\"]")), "answers followed already");
        first.next();
        first.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Reply again = open(follow("[\"another\"]"));
        while (again instanceof Reply.Error && System.nanoTime() < deadline) {
            Thread.sleep(20);
            again = open(follow("[\"another\"]"));
        }
        assertInstanceOf(Reply.Stream.class, again, "taken once a stream's answers are no longer followed");
    }

    @Test
    void aNewInputIsRefusedOnceTheAnswersHeldComeToTheByteBound() {
        QueryAnswers answers = new QueryAnswers(Runnable::run, key -> { }, (key, e) -> { }, 100, 2_500);
        answers.computeWith(r -> CompletableFuture.completedFuture(Reply.ok(answer(1_000))));
        for (int i = 0; i < 3; i++) {
            QueryKey q = key("[\"P" + i + "\"]");
            assertNull(answers.first(q).join(), "answer " + i + " taken: fewer than 2,500 bytes held before it");
            answers.follow(q.key());
        }
        AltoError full = answers.first(key("[\"P3\"]")).join();
        assertEquals(503, full.httpStatus());
        assertTrue(full.message().contains("bytes of query answers"), full.message());
        assertNull(answers.first(key("[\"P0\"]")).join(), "an answer held is still followed");
        answers.unfollow(key("[\"P2\"]").key());
        assertNull(answers.first(key("[\"P3\"]")).join(), "taken once one is no longer followed");
    }

    private static QueryKey key(String srcs) {
        return new QueryKey("filtered", "/costmap/filtered", MediaTypes.COST_MAP_FILTER, "application/alto-costmap+json",
                QueryInputs.normal(MediaTypes.COST_MAP_FILTER, Bytes.utf8("{" + COST_TYPE + ",\"pids\":{\"srcs\":" + srcs + "}}")));
    }
}
