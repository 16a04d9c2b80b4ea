package org.rproxy.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.testing.Loopbacks;

/**
 * The places the node keeps for a connection's first answer ({@code Http2ReaderBesideNonReadersIT})
 * stay for an honest reader while one host opens many connections, each asking and reading
 * nothing, when {@code listen.max-connections-per-address} is set. Without it, a host that opens
 * one more connection for each kept place takes them all (each connection's first place), and the
 * reader's queries wait for a place given back anywhere: at the stall timeout of the host's first
 * connections. With it, the host's connections past the limit are refused at once and the few
 * it keeps take at most one kept place each.
 *
 * <p>At a small scale: a bound of 64 answers (48 ordinary places, 16 kept), the host at
 * {@code 127.0.0.2} opening 24 connections of 32 streams each against a limit of 4 per address
 * (the first two take the 48 ordinary places, two more a kept place each), a reader at
 * {@code 127.0.0.1}, and a stall timeout of 60 s that nothing here should wait for: the reader is
 * to be answered within a third of it, while the host still holds every ordinary place.
 */
class Http2ReserveBesideOneAddressIT {

    private static final InetAddress HOST = Loopbacks.SECOND;
    private static final int CONNECTIONS = 24;
    private static final int PER_ADDRESS = 4;
    private static final int STREAMS = 32;
    private static final int BOUND = 64;
    private static final int ORDINARY = BOUND - BOUND / 4;
    private static final int READER_QUERIES = 16;
    private static final Duration STALL = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private NonReadingCrowd crowd;


    @AfterEach
    void stop() throws Exception {
        if (crowd != null) {
            crowd.close();
        }
    }

    @Test
    void oneHostsConnectionsPastItsLimitLeaveTheKeptPlacesToAReader() throws Exception {
        crowd = NonReadingCrowd.start(dir, FrontEndConfig.defaults("127.0.0.1", 0).withMaxAnswersHeld(BOUND)
                .withMaxConnectionsPerAddress(PER_ADDRESS), STALL);
        int refused = 0;
        for (int c = 0; c < CONNECTIONS; c++) {
            try {
                crowd.ask(crowd.nonReader(HOST), STREAMS);
            } catch (IOException e) {
                refused++; // a write to a connection the node refused (GOAWAY, then closed) may fail, or may not: the meter counts
            }
        }
        PushTree.await(Duration.ofSeconds(20), "the host's connections holding every ordinary place",
                () -> crowd.meter("rproxy_answers_held") >= ORDINARY && crowd.meter("rproxy_answers_held_waits_total") > 0);
        double refusedByNode = crowd.meter("rproxy_connections_per_address_refused_total");

        HttpClient reader = crowd.reader();
        Duration within = STALL.dividedBy(3);
        List<CompletableFuture<HttpResponse<byte[]>>> queries = new ArrayList<>();
        // one query first, so that the others share its connection: the JDK's client opens a connection for each
        // request sent before its first is up, and the reader's address is held to the limit too
        queries.add(crowd.query(reader));
        try {
            PushTree.await(within, "the reader's first query answered", () -> queries.get(0).isDone());
            for (int i = 1; i < READER_QUERIES; i++) {
                queries.add(crowd.query(reader));
            }
            PushTree.await(within, "the reader's queries answered", () -> queries.stream().allMatch(CompletableFuture::isDone));
        } catch (AssertionError e) {
            throw new AssertionError(queries.stream().filter(CompletableFuture::isDone).count() + " of " + queries.size()
                    + " of a reading client's queries answered within " + within + " while one host had opened "
                    + CONNECTIONS + " connections asking and not reading (" + refusedByNode + " refused for its address);"
                    + " answers held: " + crowd.meter("rproxy_answers_held"), e);
        }
        double heldWhenAnswered = crowd.meter("rproxy_answers_held");
        for (CompletableFuture<HttpResponse<byte[]>> q : queries) {
            HttpResponse<byte[]> r = q.join();
            assertEquals(200, r.statusCode(), "a reading client's query: " + new String(r.body(), StandardCharsets.UTF_8));
            assertEquals(crowd.answerBytes(), r.body().length);
        }
        System.out.printf("reader answered with %.0f answers held; the host's connections refused: %d seen, %.0f counted%n",
                heldWhenAnswered, refused, refusedByNode);
        assertTrue(heldWhenAnswered >= ORDINARY, "the host still held every ordinary place when the reader was answered: "
                + heldWhenAnswered);
        assertTrue(heldWhenAnswered <= BOUND, "answers held: " + heldWhenAnswered);
        assertEquals(CONNECTIONS - PER_ADDRESS, (int) refusedByNode, "the host's connections past its limit, refused");
    }
}
