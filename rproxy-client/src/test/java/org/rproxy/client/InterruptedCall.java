package org.rproxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client call on a thread of its own, interrupted once the proxy has been asked for
 * {@code target} (and holds the request): what the call threw, and whether its thread kept its
 * interrupt status. Fails when the call outlives the interrupt by 10 s (its timeout is 30 s).
 *
 * @param thrown           what the call threw, or null
 * @param stillInterrupted the caller's interrupt status after the call
 */
record InterruptedCall(Throwable thrown, boolean stillInterrupted) {

    /** What the caller does: a client call whose result does not matter. */
    interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call}, interrupts it once {@code asked} names {@code target}; {@code what} names it in failures. */
    static InterruptedCall of(String what, Call call, BlockingQueue<String> asked, String target)
            throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                call.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        }, "interrupted-caller");
        caller.start();
        assertEquals(target, asked.poll(20, TimeUnit.SECONDS), "the proxy was asked");
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(10)); // well within the 30 s timeout
        assertFalse(caller.isAlive(), "the " + what + " ended on the interrupt, not on the timeout");
        return new InterruptedCall(thrown.get(), stillInterrupted.get());
    }
}
