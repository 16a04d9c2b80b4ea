package org.rproxy.app;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.util.internal.PlatformDependent;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.Durations;
import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.PushConfig;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.tls.Tls;
import org.rproxy.overlay.OverlayConfig;

/**
 * What a proxy reads at start once its settings bind: the files they name (each trusted key a
 * public key, the TLS certificate and key, an https upstream's CA) and the spool folder. Both
 * {@code rproxy check} and {@code rproxy proxy} (before it starts anything) run these, so they
 * refuse the same, in the same words: the file and key, or the option given. Stateless.
 */
final class ProxyFiles {

    private ProxyFiles() {
    }

    /**
     * {@code c} once the files it names can be used and its listen and admin addresses are free
     * (see {@link Listeners#probe}).
     *
     * @param seedBundles the folder of bundles it is to start holding ({@code --seed-bundles}), or null
     * @throws ConfigException every problem, one a line
     */
    static ProxyConfig startable(ProxyConfig c, ProxySources sources, Path seedBundles) {
        List<String> problems = problems(c, sources, seedBundles);
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
        listeners(c, sources).probe();
        return c;
    }

    /** The listen and admin addresses of {@code c}, each named by {@code sources}. */
    static Listeners listeners(ProxyConfig c, ProxySources sources) {
        return new Listeners().add(sources.name("listen.address"), c.listen().address())
                .add(sources.name("admin.address"), c.admin() == null ? null : c.admin().address());
    }

    /** Every problem found, each named by {@code sources} (or {@code --seed-bundles}); empty when there is none. */
    static List<String> problems(ProxyConfig c, ProxySources sources, Path seedBundles) {
        List<String> problems = new ArrayList<>();
        List<Path> trust = c.upstream().trust();
        for (int i = 0; i < trust.size(); i++) {
            try {
                VerificationKey.readPem(trust.get(i));
            } catch (RuntimeException e) {
                problems.add(sources.name("upstream.trust[" + i + "]") + ": " + named(trust.get(i), e.getMessage()));
            }
        }
        if (c.listen().tls() != null) {
            try {
                Tls.server(c.listen().tls());
            } catch (RuntimeException e) {
                problems.add(sources.refused("listen." + e.getMessage(), null).getMessage());
            }
        }
        if (c.upstream().https()) {
            try {
                Tls.client(c.upstream().ca());
            } catch (RuntimeException e) {
                problems.add(sources.refused(e.getMessage(), null).getMessage());
            }
        }
        if (c.cache().spool()) {
            // the folder the spool will use: the one given, else the JVM's temp folder (which may be anything)
            Path given = c.cache().spoolDir();
            Path spoolDir = given != null ? given : BodySpool.defaultParent();
            if (!(Files.isDirectory(spoolDir) && Files.isWritable(spoolDir))) {
                problems.add(sources.name("cache.spool-dir") + (given != null ? ": " + spoolDir
                        + " is not a writable directory" : " (not set: java.io.tmpdir, " + spoolDir
                        + "): not a writable directory (expected: a spool-dir that is, or spool: false)"));
            }
        }
        String seeds = BundleSeeds.problem(seedBundles, c.mode());
        if (seeds != null) {
            problems.add(seeds);
        }
        return problems;
    }

    /**
     * The warnings of a proxy that starts but works badly as set: a warning for each private key
     * the proxy reads that its group may read (and no more), as the origin warns of its key (the
     * TLS key, named by {@code sources}, and the overlay's key, named by its file: {@code ov.yaml:
     * key: FILE: mode 0440 lets its group read ...}); and a push proxy's {@code push.read-timeout}
     * not above the upstream's heartbeat, which this proxy cannot know: it is compared with the
     * default heartbeat of an origin and a proxy (10s), and says so.
     *
     * @param overlayFile the overlay's file ({@code --overlay}), or null
     * @param overlay     its settings, or null
     */
    static List<String> warnings(ProxyConfig c, ProxySources sources, Path overlayFile, OverlayConfig overlay) {
        List<String> warnings = new ArrayList<>();
        if (c.listen().tls() != null) {
            keyWarning(sources.name("listen.tls.key"), c.listen().tls().key()).ifPresent(warnings::add);
        }
        if (overlay != null && overlay.key() != null) {
            keyWarning(overlayFile + ": key", overlay.key()).ifPresent(warnings::add);
        }
        Duration readTimeout = c.push().readTimeout();
        if (c.mode() == ProxyConfig.Mode.PUSH && readTimeout.compareTo(PushConfig.DEFAULT_HEARTBEAT) <= 0) {
            warnings.add(sources.name("push.read-timeout") + ": " + Durations.format(readTimeout) + " is not above the"
                    + " upstream's heartbeat if it keeps the default, " + Durations.format(PushConfig.DEFAULT_HEARTBEAT)
                    + ": a quiet upstream stream would be taken for dead and replaced again and again (expected: about"
                    + " twice the upstream's heartbeat, an origin's --heartbeat or a parent proxy's push.heartbeat)");
        }
        heartbeatWarning(sources.name("push.heartbeat"), c.push().heartbeat()).ifPresent(warnings::add);
        directMemoryWarning(c, sources, PlatformDependent.maxDirectMemory()).ifPresent(warnings::add);
        descriptorWarning(c, sources, maxFileDescriptors()).ifPresent(warnings::add);
        return warnings;
    }

    /**
     * A warning when a node's own update streams stay silent, between heartbeats, as long as a
     * push proxy below waits before it takes a stream for dead ({@code push.read-timeout}, 20s by
     * default): every push proxy that keeps the default would then drop and reopen its stream
     * whenever nothing changes for that long. {@code name} names the setting: a proxy's
     * {@code push.heartbeat}, the origin's {@code --heartbeat}.
     */
    static Optional<String> heartbeatWarning(String name, Duration heartbeat) {
        if (heartbeat.compareTo(PushConfig.DEFAULT_READ_TIMEOUT) < 0) {
            return Optional.empty();
        }
        return Optional.of(name + ": " + Durations.format(heartbeat) + " is not below the read timeout of the push proxies"
                + " below if they keep the default, " + Durations.format(PushConfig.DEFAULT_READ_TIMEOUT) + ": they would take"
                + " a quiet stream from this node for dead and reopen it again and again (expected: at most half their"
                + " push.read-timeout, such as the default 10s)");
    }

    /** File descriptors the node leaves itself beside its client connections: the JVM's own, the upstream's, spool files. */
    static final int DESCRIPTOR_RESERVE = 256;

    /**
     * A warning when this process may open fewer files than {@code listen.max-connections} and
     * {@link #DESCRIPTOR_RESERVE} more ({@code maxFiles}: its open-file limit, -1 when unknown):
     * each client connection holds a descriptor, and without one the node pauses accepting and
     * cannot open a spool file or an upstream connection. Said at start, as nginx says
     * {@code worker_connections exceed open file resource limit}, rather than found under load.
     */
    static Optional<String> descriptorWarning(ProxyConfig c, ProxySources sources, long maxFiles) {
        long needed = (long) c.listen().maxConnections() + DESCRIPTOR_RESERVE;
        if (maxFiles < 0 || maxFiles >= needed) {
            return Optional.empty();
        }
        return Optional.of(sources.name("listen.max-connections") + ": " + c.listen().maxConnections()
                + " connections need as many file descriptors and about " + DESCRIPTOR_RESERVE + " more, but this"
                + " process may open " + maxFiles + " files (ulimit -n, LimitNOFILE): once they are used, accepting"
                + " pauses ('cannot accept connections ... Too many open files') and spool files and upstream"
                + " connections fail (expected: an open-file limit of at least " + needed + ", e.g. LimitNOFILE=65536"
                + " as the packaged units set, or a smaller max-connections)");
    }

    /** This process's open-file limit, or -1 where the JVM does not say. */
    static long maxFileDescriptors() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : -1;
    }

    /**
     * A warning when {@code cache.max-bytes} is above {@code maxDirect}, the JVM's direct-memory
     * limit ({@code -XX:MaxDirectMemorySize}, by default the heap's {@code -Xmx}): every held body
     * of 16 KB or more below {@code spool-min-bytes} (every one without the spool) keeps a direct
     * copy, up to half of max-bytes, beside the sockets' own buffers; past the limit the store
     * could not take a document. Or, when the bounds on what waits for slow readers are set, when
     * half of max-bytes and those bounds ({@code push.max-pending-bytes},
     * {@code listen.max-pending-answer-bytes}; a quarter of the limit each by default, which
     * makes the first check the same) add up to more than the limit: slow readers could then
     * take the memory the store's copies need.
     */
    static Optional<String> directMemoryWarning(ProxyConfig c, ProxySources sources, long maxDirect) {
        long maxBytes = c.cache().maxBytes().bytes();
        if (maxBytes > maxDirect) {
            return Optional.of(sources.name("cache.max-bytes") + ": " + c.cache().maxBytes() + " is above this JVM's"
                    + " direct-memory limit, " + (maxDirect >> 20) + "MB (-XX:MaxDirectMemorySize, by default"
                    + " -Xmx): held bodies below cache.spool-min-bytes keep a direct copy, up to half of max-bytes, beside"
                    + " the sockets' buffers (expected: -XX:MaxDirectMemorySize of at least max-bytes in JAVA_OPTS, or"
                    + " a smaller max-bytes)");
        }
        long updates = c.push().maxPendingBytes() != null ? c.push().maxPendingBytes().bytes() : maxDirect / 4;
        long answers = c.listen().pendingAnswerBytes() != 0 ? c.listen().pendingAnswerBytes() : maxDirect / 4;
        if (maxBytes / 2 + updates + answers <= maxDirect) {
            return Optional.empty();
        }
        return Optional.of(sources.name("listen.max-pending-answer-bytes") + ", push.max-pending-bytes: with half of"
                + " cache.max-bytes, " + ((maxBytes / 2 + updates + answers) >> 20) + "MB in all, above this JVM's"
                + " direct-memory limit, " + (maxDirect >> 20) + "MB (-XX:MaxDirectMemorySize, by default -Xmx): slow"
                + " readers could take the direct memory the held bodies' copies need (expected: the three within the"
                + " limit, e.g. the two bounds left to their defaults, a quarter of it each)");
    }

    /** {@code "NAME: "} and {@link PrivateKeyFiles#warning} of {@code key}, when its group may read it and no more. */
    static Optional<String> keyWarning(String name, Path key) {
        String warning = PrivateKeyFiles.warning(key);
        return warning == null || PrivateKeyFiles.problem(key) != null ? Optional.empty()
                : Optional.of(name + ": " + warning);
    }

    /** The message, with the file in front unless it already names it. */
    static String named(Path file, String message) {
        return message != null && message.startsWith(file.toString()) ? message : file + ": " + message;
    }
}
