package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadPoolExecutor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.rproxy.core.testing.Eventually;

/**
 * {@link AltoClient#refreshMaps()} asks for its maps at once, not one after another: a proxy that
 * answers none of them before it was asked for all of them sees every request before it answers
 * one. An interrupt of the caller still ends the call at once, stops the fetches and blames no
 * source.
 */
class RefreshMapsAtOnceTest {

    @TempDir
    Path dir;

    @Test
    void everyMapIsAskedForBeforeAnyIsAnswered() throws Exception {
        try (ProxiedClient at = ProxiedClient.start(dir)) {
            ScriptedProxy proxy = at.proxy;
            AltoClient c = at.client;
            List<String> maps = at.proxyServesTheMaps();
            assertEquals(List.of(LocalOrigin.NETWORK_MAP, LocalOrigin.COST_MAP), maps);
            // one after another, the first map waits out the 5 s before the second is asked
            proxy.gate(Set.copyOf(maps), Duration.ofSeconds(5));

            LocalAnswers a = c.refreshMaps();

            assertNotNull(a);
            List<String> events = List.copyOf(proxy.gateEvents);
            assertEquals(4, events.size(), events.toString());
            assertEquals(Set.of("asked " + LocalOrigin.NETWORK_MAP, "asked " + LocalOrigin.COST_MAP),
                    Set.copyOf(events.subList(0, 2)), "every map was asked for before any was answered: " + events);
            assertEquals(0, c.health().recentFailures(proxy.uri()));
            assertEquals(0, c.health().recentFailures(at.origin.uri()));
        }
    }

    @Test
    void anInterruptWhileTheMapsAreAskedForEndsTheCallAndBlamesNoSource() throws Exception {
        try (ProxiedClient at = ProxiedClient.start(dir)) {
            ScriptedProxy proxy = at.proxy;
            AltoClient c = at.client;
            at.proxyServesTheMaps();
            proxy.stall(LocalOrigin.COST_MAP);

            InterruptedCall ended = InterruptedCall.of("call", () -> c.refreshMaps(), proxy.stalled, LocalOrigin.COST_MAP);

            assertInstanceOf(ClientException.Interrupted.class, ended.thrown(), String.valueOf(ended.thrown()));
            assertTrue(ended.stillInterrupted(), "the caller's interrupt status is kept");
            ThreadPoolExecutor maps = at.mapThreads();
            Eventually.await("the stopped fetch ends", Duration.ofSeconds(10), () -> maps.getActiveCount() == 0);
            assertEquals(0, c.health().recentFailures(proxy.uri()), "the proxy is not blamed");
            assertEquals(0, c.health().recentFailures(at.origin.uri()), "and the origin not asked");
            assertEquals(List.of(proxy.uri(), at.origin.uri()), c.sourceOrder());
        }
    }
}
