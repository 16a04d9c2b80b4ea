package org.rproxy.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.tls.Tls;

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
        Path spoolDir = c.cache().spoolDir();
        if (c.cache().spool() && spoolDir != null && !(Files.isDirectory(spoolDir) && Files.isWritable(spoolDir))) {
            problems.add(sources.name("cache.spool-dir") + ": " + spoolDir + " is not a writable directory");
        }
        String seeds = BundleSeeds.problem(seedBundles, c.mode());
        if (seeds != null) {
            problems.add(seeds);
        }
        return problems;
    }

    /** The message, with the file in front unless it already names it. */
    static String named(Path file, String message) {
        return message != null && message.startsWith(file.toString()) ? message : file + ": " + message;
    }
}
