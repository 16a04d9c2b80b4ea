package org.rproxy.harness.heap;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.UpdateFollower;
import org.rproxy.client.VerifiedDocument;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code harness client-heap}: what an {@link AltoClient} holding an origin's maps costs in heap,
 * as an application embedding it would pay: the heap in use after a full collection (the
 * {@link MemoryMXBean}'s, after {@code System.gc()} until it settles), before the client, after
 * its bootstrap, after {@link AltoClient#refreshMaps()} (the verified maps held and the
 * {@link LocalAnswers} built from them), and what one more verified copy of each map held by
 * the caller adds (its bytes as signed); with {@code --follow}, also what following the maps'
 * update stream adds. Run it in a JVM of its own, the origin in another:
 * a figure is a difference of heaps, so nothing else of size may live in this one. A
 * measurement, not a test: nothing is asserted.
 */
@Command(name = "client-heap", mixinStandardHelpOptions = true,
        description = "Bootstrap a client library AltoClient from an origin, fetch and hold its default network map "
                + "and cost maps (refreshMaps) and print the heap in use after a full GC at each step, and what one "
                + "verified copy of each map adds. Run in a JVM of its own (the origin in another).")
public final class ClientHeapCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--origin", required = true, paramLabel = "URL", description = "The origin's base URL.")
    URI origin;

    @Option(names = "--keyid", required = true, paramLabel = "ID", description = "The origin's key id (rproxy keygen prints it).")
    String keyId;

    @Option(names = "--follow", description = "Also follow the maps' update stream (AltoClient.follow) once they are held, "
            + "and say what that adds, once the stream has sent an update for each.")
    boolean follow;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = settled(memory);
        ClientOptions options = ClientOptions.of(origin, KeyPin.ofKeyId(keyId)).withTimeout(Duration.ofSeconds(60));
        try (AltoClient alto = AltoClient.bootstrap(options)) {
            long booted = settled(memory);
            LocalAnswers answers = alto.refreshMaps();
            long held = settled(memory);
            out.printf(Locale.ROOT, "heap before the client      %8.1f MB%n", mb(before));
            out.printf(Locale.ROOT, "bootstrap (the directory)   %+8.1f MB%n", mb(booted - before));
            out.printf(Locale.ROOT, "refreshMaps (maps held and answers built) %+8.1f MB, versions %s%n",
                    mb(held - booted), answers.versions());
            long last = held;
            UpdateFollower follower = follow ? following(alto, out) : null;
            if (follower != null) {
                last = settled(memory);
                out.printf(Locale.ROOT, "follow (its stream sent: %s) %+8.1f MB%n", follower.counts(), mb(last - held));
            }
            long copiesFrom = last;
            List<VerifiedDocument> copies = new ArrayList<>();
            long bodies = 0;
            for (String target : alto.mapTargets()) {
                copies.add(alto.fetch(target));
                long now = settled(memory);
                VerifiedDocument d = copies.get(copies.size() - 1);
                bodies += d.length();
                out.printf(Locale.ROOT, "one more verified copy of %s (%,d bytes as signed) %+8.1f MB%n", target,
                        d.length(), mb(now - last));
                last = now;
            }
            long copiesCost = last - copiesFrom;
            out.printf(Locale.ROOT, "so of refreshMaps' %.1f MB: the maps' bytes as signed about %.1f MB (bodies %.1f MB),"
                    + " the answers built from them (parsed maps and index) about %.1f MB%n", mb(held - booted),
                    mb(copiesCost), mb(bodies), mb(held - booted - copiesCost));
            out.flush();
            answers.isCurrent(); // held to here: measured with the answers alive
            copies.clear();
        }
        return 0;
    }

    /**
     * Follows the maps' changes and waits (60 s at most) until the stream has sent an update of
     * each map and the directory (the origin sends its newest signings on subscribing); null when
     * it did not.
     */
    private static UpdateFollower following(AltoClient alto, PrintWriter out) {
        UpdateFollower f = alto.follow(new UpdateFollower.Listener() {
            @Override
            public void changed(LocalAnswers now) {
            }

            @Override
            public void refused(ClientException why) {
                out.println("follow: " + why.getMessage());
            }
        });
        int expected = alto.mapTargets().size() + 1;
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (f.counts().checked() + f.counts().repeated() < expected) {
            if (System.nanoTime() > end) {
                out.println("follow: the stream sent no update of each document within 60 s (" + f.counts() + ")");
                return null;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        return f;
    }

    /** Heap in use after full collections, once two in a row agree within 64 KB (at most 10). */
    static long settled(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - now) < 64 * 1024) {
                return now;
            }
            used = now;
        }
        return used;
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
