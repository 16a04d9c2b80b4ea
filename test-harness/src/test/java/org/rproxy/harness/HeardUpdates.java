package org.rproxy.harness;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.ClientException;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.UpdateFollower;

/** What a client's update follower told a test, in order; polling is heard as the stream {@code polling:}. */
final class HeardUpdates implements UpdateFollower.Listener {
    final BlockingQueue<LocalAnswers> changes = new LinkedBlockingQueue<>();
    final BlockingQueue<URI> streams = new LinkedBlockingQueue<>();
    final BlockingQueue<ClientException> refused = new LinkedBlockingQueue<>();

    @Override
    public void changed(LocalAnswers answers) {
        changes.add(answers);
    }

    @Override
    public void refused(ClientException why) {
        refused.add(why);
    }

    @Override
    public void following(URI stream) {
        streams.add(stream == null ? URI.create("polling:") : stream);
    }

    /** Waits up to {@code within} for answers in which the cost from 128.36.1.5 to 130.132.3.9 is {@code cost}. */
    void awaitCost(double cost, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            LocalAnswers a = changes.poll(100, TimeUnit.MILLISECONDS);
            if (a != null && a.cost("128.36.1.5", "130.132.3.9").orElse(0) == cost) {
                return;
            }
        }
        throw new AssertionError("no change to " + cost + " within " + within + "; " + this);
    }

    @Override
    public String toString() {
        return "streams " + streams + ", refused " + refused;
    }
}
