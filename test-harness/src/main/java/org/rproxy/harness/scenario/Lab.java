package org.rproxy.harness.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipFile;

import org.rproxy.core.config.PrivateKeyFiles;
import org.rproxy.core.config.Durations;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.SignatureAlgorithm;
import org.rproxy.core.sign.SigningKey;
import org.rproxy.harness.topology.MapsWriter;
import org.rproxy.harness.topology.TopologyGenerator;
import org.rproxy.harness.topology.TopologySpec;
import org.rproxy.origin.Origin;
import org.rproxy.origin.OriginConfig;

/**
 * The machinery one scenario runs on, all on loopback: a fresh origin key, a generated maps
 * folder, the origin (in this process) behind a {@link CountingRelay}, and pull proxies as
 * separate processes. Everything started is registered and stopped by {@link #close}, in reverse
 * order — also when the JVM is asked to stop (a shutdown hook, on Ctrl-C or SIGTERM), so no proxy
 * outlives a run. A child process is registered as soon as it is started, before it is ready;
 * once the lab is closing it starts nothing more. On a signal the hook also stops any other
 * descendant of this process (one caught between its start and its registration) and deletes a
 * temporary lab folder, which holds the origin's private key.
 */
final class Lab implements AutoCloseable {
    private final Path dir;
    private final PrintStream log;
    private final String proxyClasspath;
    private final boolean external;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Thread hook = new Thread(this::stopOnExit, "harness-lab-stop");
    private final boolean temporary;
    private volatile boolean closing;
    private volatile boolean keepFolder;
    private final Path key;
    private final Path pub;
    private Origin origin;
    private CountingRelay relay;

    /** A lab whose folder stays when it closes. */
    Lab(Path dir, PrintStream log, Path rproxyJar) throws IOException {
        this(dir, log, rproxyJar, false);
    }

    /**
     * @param rproxyJar an rproxy jar to run proxies from, or null for this process's class path
     * @param temporary delete {@code dir} when the lab closes (unless {@link #keepFolder} was called)
     *                  or the JVM is stopped
     */
    Lab(Path dir, PrintStream log, Path rproxyJar, boolean temporary) throws IOException {
        this.temporary = temporary;
        this.dir = Files.createDirectories(dir);
        this.log = log;
        this.external = rproxyJar != null;
        this.proxyClasspath = rproxyJar != null ? rproxyJar.toAbsolutePath().toString() : System.getProperty("java.class.path");
        SigningKey k = SigningKey.generate(SignatureAlgorithm.ED25519, new SecureRandom());
        key = dir.resolve("origin.key");
        pub = dir.resolve("origin.pub");
        PrivateKeyFiles.write(key, k.toPkcs8Pem());
        Files.writeString(pub, k.publicKey().toSpkiPem());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    Path dir() {
        return dir;
    }

    /** The origin's private key (PKCS#8 PEM), for an origin a scenario starts itself. */
    Path key() {
        return key;
    }

    Path pub() {
        return pub;
    }

    /** Whether proxies can be started: this process, or the rproxy jar given, holds the pull proxy. */
    boolean pullAvailable() {
        return has("org.rproxy.pull.PullProxy", "org/rproxy/pull/PullProxy.class");
    }

    /** Whether push mode (and an origin with an update stream) can be started. */
    boolean pushAvailable() {
        return has("org.rproxy.push.PushProxy", "org/rproxy/push/PushProxy.class");
    }

    private boolean has(String className, String entry) {
        if (!external) {
            try {
                Class.forName(className, false, Lab.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
        try (ZipFile z = new ZipFile(proxyClasspath)) {
            return z.getEntry(entry) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts the origin as a process of its own (with the update stream when the build has push mode). */
    ProxyProcess startOriginProcess(Path maps, Duration maxAge) throws IOException, InterruptedException {
        ensureOpen();
        ProxyProcess p = ProxyProcess.startOrigin(proxyClasspath, maps, key, maxAge, dir, this::register);
        log.printf("lab: origin process (pid %d) on %s%n", p.pid(), p.baseUri());
        return p;
    }

    /** Starts a signing front process over the unsigned server whose directory is at {@code directoryUrl}. */
    ProxyProcess startSigningFront(String directoryUrl, Duration poll, Duration maxAge)
            throws IOException, InterruptedException {
        ensureOpen();
        ProxyProcess p = ProxyProcess.startSigningFront(proxyClasspath, directoryUrl, key, poll, maxAge, dir, this::register);
        log.printf("lab: signing front (pid %d) on %s over %s, reading it every %s%n", p.pid(), p.baseUri(), directoryUrl,
                Durations.format(poll));
        return p;
    }

    ProxyProcess startPushProxy(String name, String upstream) throws IOException, InterruptedException {
        return startPushProxy(name, upstream, List.of());
    }

    /** A push proxy with more {@code rproxy proxy} arguments (say, {@code --config FILE}). */
    ProxyProcess startPushProxy(String name, String upstream, List<String> extra) throws IOException, InterruptedException {
        ensureOpen();
        ProxyProcess p = ProxyProcess.startPush(name, proxyClasspath, upstream, pub, dir, extra, this::register);
        log.printf("lab: push proxy %s (pid %d) on %s, upstream %s%n", name, p.pid(), p.baseUri(), upstream);
        return p;
    }

    /** Registers something to stop with the lab; once the lab is closing, stops it at once and throws. */
    void stopAtEnd(AutoCloseable c) {
        register(c);
    }

    /**
     * Registers {@code c} to stop with the lab, or, when the lab is closing, stops it now and throws
     * {@link IllegalStateException}: nothing started after the hook ran may outlive the JVM.
     */
    synchronized void register(AutoCloseable c) {
        if (closing) {
            stop(c);
            throw new IllegalStateException("the lab is stopping; " + c + " was stopped at once");
        }
        started.push(c);
    }

    /** Throws {@link IllegalStateException} when the lab is closing, so nothing more is started. */
    void ensureOpen() {
        if (closing) {
            throw new IllegalStateException("the lab is stopping; nothing more is started");
        }
    }

    /** Leaves a temporary lab folder in place when the lab closes (its logs explain a failure). */
    void keepFolder() {
        keepFolder = true;
    }

    Path topology(TopologySpec spec) throws IOException {
        ensureOpen();
        Path maps = dir.resolve("maps");
        MapsWriter.write(TopologyGenerator.generate(spec), maps);
        log.printf("lab: topology %d PoPs x %d prefixes (seed %d) in %s%n", spec.pids(), spec.prefixesPerPid(), spec.seed(), maps);
        return maps;
    }

    /** Starts the origin on the maps and a counting relay in front of it; returns the relay. */
    CountingRelay startOrigin(Path maps, Duration validity, Duration maxAge) throws IOException, InterruptedException {
        ensureOpen();
        origin = Origin.start(new OriginConfig(FrontEndConfig.defaults("127.0.0.1", 0), maps, key, validity, maxAge,
                List.of(), "harness-origin", null));
        register(origin);
        relay = new CountingRelay(new InetSocketAddress("127.0.0.1", origin.address().getPort()));
        register(relay);
        log.printf("lab: origin on %s (max-age %ds), counted through relay %s%n", origin.baseUri(), maxAge.toSeconds(),
                relay.baseUri());
        return relay;
    }

    ProxyProcess startProxy(String name, String upstream) throws IOException, InterruptedException {
        return startProxy(name, upstream, List.of());
    }

    /** A pull proxy with more {@code rproxy proxy} arguments. */
    ProxyProcess startProxy(String name, String upstream, List<String> extra) throws IOException, InterruptedException {
        ensureOpen();
        ProxyProcess p = ProxyProcess.start(name, proxyClasspath, upstream, pub, dir, extra, this::register);
        log.printf("lab: proxy %s (pid %d) on %s, upstream %s%n", name, p.pid(), p.baseUri(), upstream);
        return p;
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already stopping: the hook runs or ran
            return;
        }
        if (temporary && !keepFolder) {
            deleteTree(dir);
        }
    }

    private synchronized void closeQuietly() {
        closing = true;
        for (AutoCloseable c; (c = started.poll()) != null; ) {
            stop(c);
        }
    }

    private void stop(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.println("lab: stopping " + c + " failed: " + e);
        }
    }

    /** The shutdown hook: everything registered, then any other descendant, then a temporary folder. */
    private void stopOnExit() {
        closeQuietly();
        List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        left.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (ProcessHandle h : left) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // killed below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            h.destroyForcibly();
        }
        if (temporary) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // a file appearing or going meanwhile: a leftover temporary folder is harmless
        }
    }
}
