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

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.client.LocalAnswers;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.model.MediaTypes;

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
 * the caller adds (its bytes as signed). Run it in a JVM of its own, the origin in another:
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
            List<VerifiedDocument> copies = new ArrayList<>();
            long last = held;
            long bodies = 0;
            for (String target : mapTargets(alto)) {
                copies.add(alto.fetch(target));
                long now = settled(memory);
                VerifiedDocument d = copies.get(copies.size() - 1);
                bodies += d.length();
                out.printf(Locale.ROOT, "one more verified copy of %s (%,d bytes as signed) %+8.1f MB%n", target,
                        d.length(), mb(now - last));
                last = now;
            }
            long copiesCost = last - held;
            out.printf(Locale.ROOT, "so of refreshMaps' %.1f MB: the maps' bytes as signed about %.1f MB (bodies %.1f MB),"
                    + " the answers built from them (parsed maps and index) about %.1f MB%n", mb(held - booted),
                    mb(copiesCost), mb(bodies), mb(held - booted - copiesCost));
            out.flush();
            answers.isCurrent(); // held to here: measured with the answers alive
            copies.clear();
        }
        return 0;
    }

    /** The request targets refreshMaps holds: the directory's default network map and its cost maps. */
    private static List<String> mapTargets(AltoClient alto) {
        List<String> out = new ArrayList<>();
        var dir = alto.directory();
        String def = dir.defaultNetworkMap();
        out.add(dir.resources().get(def).uri());
        dir.resources().values().forEach(r -> {
            if (r.accepts() == null && MediaTypes.COST_MAP.equals(r.mediaType()) && r.uses().equals(List.of(def))) {
                out.add(r.uri());
            }
        });
        return out;
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
