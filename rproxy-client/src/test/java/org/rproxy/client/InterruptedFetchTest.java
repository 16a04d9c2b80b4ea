package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
        try (ScriptedProxy proxy = new ScriptedProxy(); LocalOrigin origin = LocalOrigin.start(dir, List.of(proxy.base()));
             AltoClient c = AltoClient.bootstrap(ClientOptions.of(origin.uri(), KeyPin.ofKeyId(origin.keyId()))
                     .withTimeout(Duration.ofSeconds(30)))) {
            proxy.serve(LocalOrigin.COST_MAP, c.fetch(LocalOrigin.COST_MAP).representation());
            assertEquals(proxy.base(), c.fetch(LocalOrigin.COST_MAP).source().resolve("/").toString());
            proxy.stall(LocalOrigin.COST_MAP);

            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread caller = new Thread(() -> {
                try {
                    c.fetch(LocalOrigin.COST_MAP);
                } catch (Throwable t) {
                    thrown.set(t);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }, "interrupted-caller");
            caller.start();
            assertEquals(LocalOrigin.COST_MAP, proxy.stalled.poll(20, TimeUnit.SECONDS), "the proxy was asked");
            caller.interrupt();
            caller.join(TimeUnit.SECONDS.toMillis(10)); // well within the 30 s timeout
            assertFalse(caller.isAlive(), "the fetch ended on the interrupt, not on the timeout");

            ClientException.Interrupted e = assertInstanceOf(ClientException.Interrupted.class, thrown.get());
            assertEquals(proxy.base() + LocalOrigin.COST_MAP.substring(1), e.uri().toString());
            assertTrue(stillInterrupted.get(), "the caller's interrupt status is kept");
            assertEquals(0, c.health().recentFailures(proxy.uri()), "the proxy is not blamed");
            assertEquals(0, c.health().recentFailures(origin.uri()), "and the origin not asked");
            assertEquals(List.of(proxy.uri(), origin.uri()), c.sourceOrder());
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
