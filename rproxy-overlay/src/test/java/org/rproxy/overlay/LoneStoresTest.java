package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rproxy.core.testing.CapturedLogs;
import org.rproxy.core.testing.Eventually;
import org.slf4j.LoggerFactory;

/**
 * A publisher started before any other DHT node finds no node to store its records to: that is
 * expected at a first start, so it is said once at INFO for the node, not warned of at each
 * record's every backoff (each a support ticket for an app that embeds a peer); warned of once
 * when it lasts {@link LoneStores#WARN_AFTER}; a store that found nodes and none took it is
 * warned of as before.
 */
class LoneStoresTest {
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Stored NONE = new Stored(0, 0);
    private static final Stored ENOUGH = new Stored(8, 8);
    private final Logger renewals = (Logger) LoggerFactory.getLogger(Renewals.class);
    private final Level level = renewals.getLevel();

    /** The tests' configuration logs WARN and above: what is said below it is looked at here. */
    LoneStoresTest() {
        renewals.setLevel(Level.DEBUG);
    }

    @AfterEach
    void restore() {
        renewals.setLevel(level);
    }

    @Test
    void aLoneNodesStoresAreSaidOnceAtInfoNotWarnedAtEachBackoff() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of(Renewals.class);
             Renewals r = new Renewals(List.of(NEVER), NEVER, Duration.ofMillis(1), Duration.ofMillis(50),
                     Duration.ofMillis(100))) {
            List<Stored> told = new CopyOnWriteArrayList<>();
            // two records, each stored three times (five tries each) before a node takes it
            r.keep("putting p", alone(3), () -> true, told::add).get(5, TimeUnit.SECONDS);
            r.keep("announcing h", alone(3), () -> true, told::add).get(5, TimeUnit.SECONDS);
            Eventually.await("both stored once a node came", Duration.ofSeconds(30),
                    () -> told.stream().filter(ENOUGH::equals).count() == 2);

            assertEquals(List.of(), lines(logs, Level.WARN), "nothing to warn of: a lone node at its first start");
            assertEquals(2 * 3 - 1, lines(logs, Level.DEBUG).stream().filter(l -> l.endsWith(": 0 of the 0 closest DHT nodes"
                    + " took it")).count(), "each other store that found no node said at DEBUG");
            List<String> info = lines(logs, Level.INFO);
            assertEquals(1, info.size(), "said once for the node: " + info);
            assertEquals(true, info.get(0).contains("no other DHT node known yet"), info.get(0));
        }
    }

    @Test
    void aStoreThatNodesFoundAndRefusedIsStillWarnedOf() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of(Renewals.class);
             Renewals r = new Renewals(List.of(), NEVER, Duration.ofMillis(1))) {
            r.keep("putting p", () -> CompletableFuture.completedFuture(new Stored(0, 8)), () -> true, s -> { })
                    .get(5, TimeUnit.SECONDS);
            assertEquals(List.of("overlay: putting p: 0 of the 8 closest DHT nodes took it"), lines(logs, Level.WARN));
        }
    }

    @Test
    void lonelinessThatLastsIsWarnedOnceAndANodeReachedEndsIt() {
        AtomicLong now = new AtomicLong();
        LoneStores lone = new LoneStores(Duration.ofMinutes(10), now::get);
        try (CapturedLogs logs = CapturedLogs.of(Renewals.class)) {
            lone.noNode("putting p");
            now.addAndGet(Duration.ofMinutes(5).toNanos());
            lone.noNode("announcing h");
            assertEquals(List.of(Level.INFO, Level.DEBUG), levels(logs), "said once, then quietly");
            now.addAndGet(Duration.ofMinutes(5).toNanos());
            lone.noNode("putting p");
            now.addAndGet(Duration.ofMinutes(5).toNanos());
            lone.noNode("putting p");
            assertEquals(List.of(Level.INFO, Level.DEBUG, Level.WARN, Level.DEBUG), levels(logs),
                    "warned of once it lasted 10 min, once");
            lone.someNode();
            lone.noNode("putting p");
            assertEquals(Level.INFO, levels(logs).get(4), "alone again after a node was reached: said again");
        }
    }

    /** A step that finds no node for {@code stores} stores of five tries, then enough. */
    private static Supplier<CompletableFuture<Stored>> alone(int stores) {
        Stored[] first = new Stored[stores * Renewals.TRIES];
        Arrays.fill(first, NONE);
        AtomicInteger calls = new AtomicInteger();
        return () -> {
            int n = calls.getAndIncrement();
            return CompletableFuture.completedFuture(n < first.length ? first[n] : ENOUGH);
        };
    }

    private static List<String> lines(CapturedLogs logs, Level level) {
        return logs.events().stream().filter(e -> e.getLevel() == level).map(e -> e.getFormattedMessage()).toList();
    }

    private static List<Level> levels(CapturedLogs logs) {
        return logs.events().stream().map(e -> e.getLevel()).toList();
    }
}
