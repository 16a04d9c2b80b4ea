package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.answer.AnswerEngine;

/**
 * Where no source streams (a proxy down, and the file origin alone, which has no update stream
 * publisher and answers its {@code /updates} 404), a follower polls the maps, verified, and a
 * change still reaches the answers. Following a stream is shown in this module by
 * {@code StreamResyncTest}, {@code StreamRollbackTest} and {@code MalformedStreamTest}, and end to
 * end in the harness.
 */
class UpdateFollowerTest {

    @TempDir
    Path dir;

    @Test
    void withNoStreamAnywhereAChangeArrivesByPolling() throws Exception {
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of("http://127.0.0.2:1/"));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withPollInterval(Duration.ofMillis(200)))) {
            assertEquals(5.0, c.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow());
            HeardUpdates heard = new HeardUpdates();
            BlockingQueue<LocalAnswers> changes = heard.changes;
            BlockingQueue<Optional<String>> following = heard.following;
            BlockingQueue<ClientException> refused = heard.refused;
            UpdateFollower f = c.follow(heard);
            assertEquals(Optional.empty(), following.poll(20, TimeUnit.SECONDS), () -> "refused: " + refused);
            assertTrue(refused.stream().anyMatch(e -> e instanceof ClientException.Refused r && r.status() == 404
                    && "uri".equals(r.altoField()) && e.uri().toString().equals(origin.uri() + "/updates")), refused::toString);
            LocalOrigin.writeCosts(origin.maps, 7);
            LocalAnswers next = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end && (next == null || next.cost("128.36.1.5", "130.132.3.9").orElse(0) != 7)) {
                next = changes.poll(1, TimeUnit.SECONDS);
            }
            assertNotNull(next, () -> "no change within 30 s; refused: " + refused);
            assertEquals(7.0, next.cost("128.36.1.5", "130.132.3.9").orElseThrow());
            assertEquals(7.0, c.answers().cost("128.36.1.5", "130.132.3.9").orElseThrow());
            f.close();
            assertFalse(f.running());
        }
    }

    @Test
    void closingTheFollowerMidPollBlamesNoSourceAndTellsTheListenerNothing() throws Exception {
        closeWhileTheProxyHoldsBack(AnswerEngine.DIRECTORY);
    }

    @Test
    void closingTheFollowerWhileSubscribingBlamesNoSourceAndTellsTheListenerNothing() throws Exception {
        closeWhileTheProxyHoldsBack("/updates");
    }

    /** Closes a follower while a proxy holds back its answer to {@code path}: the follower is then waiting on it. */
    private void closeWhileTheProxyHoldsBack(String path) throws Exception {
        try (ProxiedClient at = ProxiedClient.start(dir)) {
            ScriptedProxy proxy = at.proxy;
            LocalOrigin origin = at.origin;
            AltoClient c = at.client;
            c.refreshMaps();
            proxy.stall(path);
            HeardUpdates heard = new HeardUpdates();
            UpdateFollower f = c.follow(heard);
            assertEquals(path, proxy.stalled.poll(20, TimeUnit.SECONDS), () -> "refused: " + heard.refused);
            int proxyFailures = c.health().recentFailures(proxy.uri());
            int originFailures = c.health().recentFailures(origin.uri());
            heard.refused.clear();
            f.close();
            assertFalse(f.running());
            assertEquals(List.of(), List.copyOf(heard.refused), "told nothing after close");
            assertEquals(proxyFailures, c.health().recentFailures(proxy.uri()), "the proxy is not blamed for the close");
            assertEquals(originFailures, c.health().recentFailures(origin.uri()), "nor the origin");
        }
    }

    @Test
    void aStateFileThatCannotBeWrittenIsToldAndTheFollowerGoesOnOnceItCan() throws Exception {
        Path stateDir = java.nio.file.Files.createDirectories(dir.resolve("state"));
        try (LocalOrigin origin = LocalOrigin.start(dir, List.of());
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withPollInterval(Duration.ofMillis(200)).withStateFile(stateDir.resolve("alto.state")))) {
            assertEquals(5.0, c.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow());
            HeardUpdates heard = new HeardUpdates();
            BlockingQueue<LocalAnswers> changes = heard.changes;
            BlockingQueue<ClientException> refused = heard.refused;
            UpdateFollower f = c.follow(heard);
            // the state file's folder goes: the next version cannot be recorded, so it is not taken
            java.nio.file.Files.delete(stateDir.resolve("alto.state"));
            java.nio.file.Files.delete(stateDir.resolve("alto.state.lock"));
            java.nio.file.Files.delete(stateDir.resolve("alto.state.directory")); // the directory kept for a bootstrap without the origin
            java.nio.file.Files.delete(stateDir);
            refused.clear();
            // a version is a new high only when its created (whole seconds) is later than the held
            // one's, signed by now: the change must be signed in a later second
            long heldSigned = java.time.Instant.now().getEpochSecond();
            while (java.time.Instant.now().getEpochSecond() <= heldSigned) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            }
            LocalOrigin.writeCosts(origin.maps, 7);
            ClientException why = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end && !(why instanceof ClientException.StateFailure)) {
                why = refused.poll(1, TimeUnit.SECONDS);
            }
            assertTrue(why instanceof ClientException.StateFailure, () -> "told of the state file: " + refused);
            assertEquals(5.0, c.answers().cost("128.36.1.5", "130.132.3.9").orElseThrow(), "the held version stays");
            assertTrue(f.running(), "the follower lives on");

            // back: the version is taken at the next poll, and recorded
            java.nio.file.Files.createDirectories(stateDir);
            LocalAnswers next = null;
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end && (next == null || next.cost("128.36.1.5", "130.132.3.9").orElse(0) != 7)) {
                next = changes.poll(1, TimeUnit.SECONDS);
            }
            assertNotNull(next, () -> "no change within 30 s; refused: " + refused);
            assertTrue(java.nio.file.Files.exists(stateDir.resolve("alto.state")));
            f.close();
        }
    }
}
