package org.rproxy.app;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.rproxy.core.bundle.MalformedBundleException;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.pull.PullProxy;

/**
 * {@code rproxy proxy --seed-bundles DIR}: a pull proxy starts holding the signed bundles
 * ({@code *.http}) it was handed, so it can serve them without ever having reached the origin.
 * Each is verified exactly like an upstream response, by the proxy itself ({@link PullProxy#offer}:
 * its trusted keys, digest, expiry, for the path its {@code alto-resource} names) and held as if it
 * had just been fetched: it is
 * served and revalidated like any other copy, and never after its signature expires. A bundle
 * that fails is skipped with its file and reason; a newer copy already held wins. Start-up only,
 * on the main thread.
 */
final class BundleSeeds {

    private BundleSeeds() {
    }

    /**
     * Why a proxy in {@code mode} cannot start seeding from {@code dir} ({@code --seed-bundles:
     * DIR: no such folder}, {@code ... not a folder}, {@code ... not a readable folder (...)},
     * or in push mode {@code --seed-bundles: pull mode only}); null when it can, or when
     * {@code dir} is null. What {@code rproxy proxy} refuses before it starts, and so what
     * {@code rproxy check} reports. A bundle that would not verify is no refusal: it is skipped
     * with its reason when the proxy starts.
     */
    static String problem(Path dir, ProxyConfig.Mode mode) {
        if (dir == null) {
            return null;
        }
        if (mode == ProxyConfig.Mode.PUSH) {
            return "--seed-bundles: pull mode only";
        }
        if (!Files.isDirectory(dir)) {
            return "--seed-bundles: " + dir + ": " + (Files.exists(dir) ? "not a folder" : "no such folder");
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.findAny();
            return null;
        } catch (IOException e) {
            return "--seed-bundles: " + dir + ": not a readable folder (" + IoProblems.reason(e) + ")";
        } catch (UncheckedIOException e) {
            return "--seed-bundles: " + dir + ": not a readable folder (" + IoProblems.reason(e.getCause()) + ")";
        }
    }

    /**
     * Seeds {@code proxy} from every {@code *.http} file of {@code dir}, in name order.
     *
     * @return how many bundles it now holds from the folder
     * @throws IllegalArgumentException when {@code dir} is not a readable folder
     */
    static int seed(PullProxy proxy, Path dir, PrintStream log) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".http") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--seed-bundles: " + dir + ": not a readable folder ("
                    + IoProblems.reason(e) + ")", e);
        }
        int held = 0;
        for (Path file : files) {
            String refusal = seedOne(proxy, file);
            if (refusal == null) {
                held++;
            } else {
                log.println("seed-bundles: " + file + ": skipped: " + refusal);
            }
        }
        log.println("seed-bundles: holding " + held + " of " + files.size() + " bundles from " + dir);
        return held;
    }

    /** Null when held, else why not. */
    private static String seedOne(PullProxy proxy, Path file) {
        SignedBundle bundle;
        try {
            bundle = SignedBundle.read(file, SignedBundle.DEFAULT_MAX_BYTES);
        } catch (IOException e) {
            return "cannot read it (" + IoProblems.reason(e) + ")";
        } catch (MalformedBundleException e) {
            return "not a signed bundle: " + e.getMessage();
        }
        try {
            // verifies the bundle (for the path it names) and refuses one that fails, or a query's answer
            return proxy.offer(bundle) ? null
                    : "a newer copy of " + bundle.path() + " is held already";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
