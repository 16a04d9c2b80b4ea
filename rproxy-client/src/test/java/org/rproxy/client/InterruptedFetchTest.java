package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that interrupts its own fetch (a cancelled task, an executor shutting down)
 * gets {@link ClientException.Interrupted} at once, its thread still interrupted, and no source
 * is blamed or asked after: the interrupt is the caller's, not a failure of any proxy.
 */
class InterruptedFetchTest {

    @TempDir
    Path dir;

    @Test
    void anInterruptWhileAProxyIsAskedEndsTheFetchAndBlamesNoSource() throws Exception {
        try (ProxiedClient at = ProxiedClient.start(dir)) {
            ScriptedProxy proxy = at.proxy;
            AltoClient c = at.client;
            proxy.serve(LocalOrigin.COST_MAP, c.fetch(LocalOrigin.COST_MAP).representation());
            assertEquals(proxy.base(), c.fetch(LocalOrigin.COST_MAP).source().resolve("/").toString());
            proxy.stall(LocalOrigin.COST_MAP);

            InterruptedCall ended = InterruptedCall.of("fetch", () -> c.fetch(LocalOrigin.COST_MAP), proxy.stalled, LocalOrigin.COST_MAP);

            ClientException.Interrupted e = assertInstanceOf(ClientException.Interrupted.class, ended.thrown());
            assertEquals(proxy.base() + LocalOrigin.COST_MAP.substring(1), e.uri().toString());
            assertTrue(ended.stillInterrupted(), "the caller's interrupt status is kept");
            assertEquals(0, c.health().recentFailures(proxy.uri()), "the proxy is not blamed");
            assertEquals(0, c.health().recentFailures(at.origin.uri()), "and the origin not asked");
            assertEquals(List.of(proxy.uri(), at.origin.uri()), c.sourceOrder());
        }
    }

    @Test
    void aFetchOnAnInterruptedThreadAsksNoSource() throws Exception {
        try (ScriptedProxy proxy = new ScriptedProxy(); LocalOrigin origin = LocalOrigin.start(dir, List.of(proxy.base()));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId())))) {
            proxy.serve(LocalOrigin.COST_MAP, c.fetch(LocalOrigin.COST_MAP).representation());
            c.fetch(LocalOrigin.COST_MAP);
            int asked = proxy.asked(LocalOrigin.COST_MAP);
            Throwable thrown;
            boolean stillInterrupted;
            Thread.currentThread().interrupt();
            try {
                c.fetch(LocalOrigin.COST_MAP);
                thrown = null;
            } catch (Throwable t) {
                thrown = t;
            } finally {
                stillInterrupted = Thread.interrupted(); // and cleared, for the rest of the test
            }
            assertNotNull(thrown);
            assertInstanceOf(ClientException.Interrupted.class, thrown, thrown.toString());
            assertTrue(stillInterrupted);
            assertEquals(asked, proxy.asked(LocalOrigin.COST_MAP));
            assertEquals(0, c.health().recentFailures(proxy.uri()));
            assertEquals(0, c.health().recentFailures(origin.uri()));
        }
    }
}
