package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rproxy.core.model.AltoError;
import org.rproxy.core.server.AltoHttpServer;
import org.rproxy.core.server.Dialect;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.server.Reply;
import org.rproxy.core.store.Representation;

/**
 * A client that has held version N of a map refuses version N−1, validly signed, from any source,
 * and still does after a restart (its state file): the "proxy" here replays a version the origin
 * really signed, once the origin has moved on.
 */
class RollbackTest {

    @TempDir
    Path dir;

    @Test
    void aVersionOlderThanOneHeldIsRefusedAlsoAfterARestart() throws Exception {
        AtomicReference<Representation> replayed = new AtomicReference<>();
        try (AltoHttpServer stale = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), req -> {
            Representation r = replayed.get();
            return CompletableFuture.completedFuture(r != null && req.path().equals(LocalOrigin.COST_MAP)
                    ? new Reply.Ok(r)
                    : new Reply.Error(AltoError.invalidValue("uri", req.path(), "not held here").withStatus(404),
                    Dialect.JSON));
        }); LocalOrigin origin = LocalOrigin.start(dir,
                List.of("http://127.0.0.1:" + stale.localAddress().getPort() + "/"))) {
            Path state = dir.resolve("client.state");
            ClientOptions options = ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())).withStateFile(state);
            AltoClient first = AltoClient.bootstrap(options);
            VerifiedDocument older = first.fetch(LocalOrigin.COST_MAP);
            assertEquals(origin.uri(), URI.create(older.source().toString().replace(LocalOrigin.COST_MAP, "")));

            VerifiedDocument newer = origin.newerVersion(first, older);
            replayed.set(older.representation());

            VerifiedDocument again = first.fetch(LocalOrigin.COST_MAP);
            assertRefusedAsRollback(again, older, newer);

            AltoClient restarted = AltoClient.bootstrap(options);
            assertRefusedAsRollback(restarted.fetch(LocalOrigin.COST_MAP), older, newer);
            assertTrue(Files.readString(state).contains("\"" + LocalOrigin.COST_MAP + "\":"
                    + newer.created().getEpochSecond()), Files.readString(state));

            // Without the state, the replayed version verifies: the refusal is the rollback rule's alone.
            AltoClient forgetful = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
            VerifiedDocument taken = forgetful.fetch(LocalOrigin.COST_MAP);
            assertEquals(older.created(), taken.created());
            assertTrue(taken.source().getPort() == stale.localAddress().getPort(), taken.source().toString());
        }
    }

    @Test
    void anOlderAnswerToARequestSentBeforeANewerVersionWasTakenIsNoRollback() throws Exception {
        AtomicReference<Representation> older = new AtomicReference<>();
        CompletableFuture<Void> asked = new CompletableFuture<>();
        CompletableFuture<Void> answer = new CompletableFuture<>();
        AtomicBoolean replaying = new AtomicBoolean();
        try (AltoHttpServer slow = AltoHttpServer.start(FrontEndConfig.defaults("127.0.0.1", 0), req -> {
            if (older.get() != null && req.path().equals(LocalOrigin.COST_MAP)) {
                if (asked.complete(null)) {
                    return answer.thenApply(v -> new Reply.Ok(older.get())); // the one request held back
                }
                if (replaying.get()) {
                    return CompletableFuture.completedFuture(new Reply.Ok(older.get()));
                }
            }
            return CompletableFuture.completedFuture(new Reply.Error(
                    AltoError.invalidValue("uri", req.path(), "not held here").withStatus(404), Dialect.JSON));
        }); LocalOrigin origin = LocalOrigin.start(dir,
                List.of("http://127.0.0.1:" + slow.localAddress().getPort() + "/"))) {
            AltoClient client = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())));
            VerifiedDocument first = client.fetch(LocalOrigin.COST_MAP);
            older.set(first.representation());
            // One thread asks while the first version is the newest held; its answer is held back.
            CompletableFuture<VerifiedDocument> overlapping = CompletableFuture.supplyAsync(() -> client.fetch(LocalOrigin.COST_MAP));
            asked.get(10, TimeUnit.SECONDS);
            // Meanwhile another takes a newer version from the origin.
            VerifiedDocument newer = origin.newerVersion(client, first);
            answer.complete(null);
            VerifiedDocument late = overlapping.get(10, TimeUnit.SECONDS);
            assertEquals(first.created(), late.created(), "current when it was asked for");
            assertEquals(slow.localAddress().getPort(), late.source().getPort());
            assertEquals(List.of(), late.refused());
            // The floor stays at the newer version: asked for now, the older one is a rollback.
            replaying.set(true);
            assertRefusedAsRollback(client.fetch(LocalOrigin.COST_MAP), first, newer);
        }
    }

    private static void assertRefusedAsRollback(VerifiedDocument d, VerifiedDocument older, VerifiedDocument newer) {
        assertTrue(d.created().compareTo(newer.created()) >= 0, d.created() + " vs " + newer.created());
        assertEquals(1, d.refused().size(), d.refused().toString());
        ClientException.Rollback r = assertInstanceOf(ClientException.Rollback.class, d.refused().get(0));
        assertEquals(older.created(), r.offered());
        assertTrue(r.held().compareTo(newer.created()) >= 0);
        assertTrue(r.getMessage().contains(LocalOrigin.COST_MAP) && r.getMessage().contains("rollback"), r.getMessage());
    }
}
