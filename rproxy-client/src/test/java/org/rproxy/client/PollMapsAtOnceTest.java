package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.client.testing.HeardUpdates;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.testing.Eventually;

/**
 * A follower that has no stream polls its maps at once, as {@link AltoClient#refreshMaps()}
 * fetches them: a proxy that answers none of them before it was asked for all of them sees every
 * request before it answers one. As when they were polled one by one, a map that could not be had
 * is told and does not keep the others from being taken, and a close mid-poll stops the fetches,
 * blames no source and tells nothing.
 */
class PollMapsAtOnceTest {

    @TempDir
    Path dir;

    @Test
    void aPollAsksForEveryMapBeforeAnyIsAnswered() throws Exception {
        try (ProxiedClient at = ProxiedClient.start(dir, o -> o.withPollInterval(Duration.ofMinutes(10)))) {
            ScriptedProxy proxy = at.proxy;
            List<String> maps = at.proxyServesTheMaps();
            assertEquals(List.of(LocalOrigin.NETWORK_MAP, LocalOrigin.COST_MAP), maps);
            // one after another, the first map waits out the 5 s before the second is asked
            proxy.gate(Set.copyOf(maps), Duration.ofSeconds(5));
            HeardUpdates heard = new HeardUpdates();

            UpdateFollower f = at.client.follow(heard);
            // neither the proxy nor this origin streams (their /updates answer 404): the follower polls
            Eventually.await("the poll's maps answered", Duration.ofSeconds(30), () -> proxy.gateEvents.size() == 4);
            f.close();

            List<String> events = List.copyOf(proxy.gateEvents);
            assertEquals(Set.of("asked " + LocalOrigin.NETWORK_MAP, "asked " + LocalOrigin.COST_MAP),
                    Set.copyOf(events.subList(0, 2)), "every map was asked for before any was answered: " + events);
            assertEquals(List.of(), heard.invalid(), heard::toString);
        }
    }

    @Test
    void aMapThatCannotBeHadIsToldAndTheOthersAreStillTaken() throws Exception {
        // The origin the client is told of serves what a real origin signed, and withdraws the
        // network map: it is then had from no source, while a new cost map is.
        try (LocalOrigin signer = LocalOrigin.start(dir, List.of());
             AltoClient direct = AltoClient.bootstrap(ClientOptions.of(signer.uri(), KeyPin.ofKeyId(signer.keyId())));
             ScriptedProxy origin = new ScriptedProxy()) {
            for (String t : List.of(AnswerEngine.DIRECTORY, LocalOrigin.NETWORK_MAP, LocalOrigin.COST_MAP)) {
                origin.serve(t, direct.fetch(t).representation());
            }
            try (AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(signer.keyId()))
                    .withPollInterval(Duration.ofMillis(200)))) {
                assertEquals(5.0, c.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow());
                VerifiedDocument newer = signer.newerVersion(direct, direct.fetch(LocalOrigin.COST_MAP));
                double cost = direct.refreshMaps().cost("128.36.1.5", "130.132.3.9").orElseThrow();
                origin.withdraw(LocalOrigin.NETWORK_MAP).serve(LocalOrigin.COST_MAP, newer.representation());
                HeardUpdates heard = new HeardUpdates();

                UpdateFollower f = c.follow(heard);
                ClientException.NoSourceLeft why = heard.await(ClientException.NoSourceLeft.class);
                assertTrue(why.uri().toString().endsWith(LocalOrigin.NETWORK_MAP), why::toString);
                assertNotNull(heard.awaitCost(cost));
                f.close();
                assertEquals(cost, c.answers().cost("128.36.1.5", "130.132.3.9").orElseThrow());
            }
        }
    }

    @Test
    void closingTheFollowerWhileAMapIsFetchedStopsTheFetchesBlamesNoSourceAndTellsNothing() throws Exception {
        try (ProxiedClient at = ProxiedClient.start(dir)) {
            ScriptedProxy proxy = at.proxy;
            AltoClient c = at.client;
            at.proxyServesTheMaps();
            c.refreshMaps();
            proxy.stall(LocalOrigin.COST_MAP);
            HeardUpdates heard = new HeardUpdates();
            UpdateFollower f = c.follow(heard);
            assertEquals(LocalOrigin.COST_MAP, proxy.stalled.poll(20, TimeUnit.SECONDS), heard::toString);
            int proxyFailures = c.health().recentFailures(proxy.uri());
            int originFailures = c.health().recentFailures(at.origin.uri());
            heard.refused.clear();

            f.close();

            assertFalse(f.running());
            ThreadPoolExecutor fetches = at.mapThreads();
            Eventually.await("the stopped fetch ends", Duration.ofSeconds(10), () -> fetches.getActiveCount() == 0);
            assertEquals(List.of(), List.copyOf(heard.refused), "told nothing after close");
            assertEquals(List.of(), List.copyOf(heard.changes), "told nothing after close");
            assertEquals(proxyFailures, c.health().recentFailures(proxy.uri()), "the proxy is not blamed for the close");
            assertEquals(originFailures, c.health().recentFailures(at.origin.uri()), "nor the origin");
        }
    }
}
