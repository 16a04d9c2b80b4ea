package org.rproxy.app;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ConfigLoader;
import org.rproxy.core.config.FillIn;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.UpstreamConfig;

/**
 * A proxy's config file read with what its command line gives for the keys it leaves out: the
 * upstreams ({@code --upstream}) and the origin's keys ({@code --trust}). So one file can serve
 * many proxies, each given its upstream on its command line (a unit, a container), and the keys
 * the settings require are required of the file and the options together: when both leave one
 * out, it is refused naming both ({@code f.yaml: upstream.url: missing (give it in f.yaml or as
 * --upstream)}). A value the file leaves out and an option gives is refused, when bad, in the
 * option's name. The options win over the file's values: they replace them before the file is
 * checked ({@code --upstream}, {@code --trust}, and {@code --listen}, which the file's admin address
 * and upstreams are checked against), or the file's are dropped before it is checked and the
 * options applied on top (every other option with a key in the file: {@code --tls-cert},
 * {@code --upstream-ca}, ...), so a value of the file that will not be used refuses nothing
 * ({@link ProxyCommand#settings}).
 * Both {@code rproxy proxy} and {@code rproxy check} read the file so. Stateless.
 */
final class ProxyFile {

    private ProxyFile() {
    }

    /**
     * The file's settings, {@code upstream} and {@code trust} (either may be empty) filling in
     * what it leaves out.
     *
     * @throws ConfigException every problem, one a line
     */
    static ProxyConfig load(Path file, List<URI> upstream, List<Path> trust, Address listen, ProxySources from) {
        try {
            return new ConfigLoader().load(file, ProxyConfig.class, fills(upstream, trust, listen, from));
        } catch (ConfigException e) {
            List<String> lines = explained(List.of(String.valueOf(e.getMessage()).split("\n")), file, upstream, trust,
                    listen, from);
            ConfigException refused = new ConfigException(String.join("\n", lines), e.getCause());
            refused.setStackTrace(e.getStackTrace());
            throw refused;
        }
    }

    /** Every problem {@link #load} would refuse the file with, for {@code rproxy check}; empty when none. */
    static List<String> check(Path file, List<URI> upstream, List<Path> trust, Address listen, ProxySources from) {
        return explained(new ConfigLoader().check(file, ProxyConfig.class, fills(upstream, trust, listen, from)), file,
                upstream, trust, listen, from);
    }

    /**
     * The keys {@code --upstream} and {@code --trust} fill in (they may be required), and the one
     * {@code --listen} does (the file's other keys are checked against it: the admin address, an
     * upstream that would be the proxy itself), not only drop.
     */
    private static final Set<String> FILLED = Set.of("upstream.url", "upstream.urls", "upstream.trust", "listen.address");

    private static List<FillIn> fills(List<URI> upstream, List<Path> trust, Address listen, ProxySources from) {
        List<FillIn> fills = new ArrayList<>();
        for (String key : from.keysGiven()) {
            // every other option given wins over its key in the file (ProxySettings applies it on top): the file's
            // value, which will not be used, is not read, so it refuses nothing and is not blamed on the option;
            // listen.tls.key (--tls-key) goes with listen.tls, which --tls-cert drops
            String[] path = key.split("\\.");
            if (!FILLED.contains(key) && path.length <= 2) {
                fills.add(path.length == 1 ? FillIn.dropping("", key) : FillIn.dropping(path[0], path[1]));
            }
        }
        if (listen != null) {
            // dropped, the default would stand in for it in those checks, refusing a file the address given suits
            fills.add(FillIn.replacing("listen", "address", Address.authority(listen.host(), listen.port()),
                    Set.of("address")));
        }
        if (!upstream.isEmpty()) {
            // One upstream as url, several as urls: as the file would give them, so that the checks name the same key.
            Object value = upstream.size() == 1 ? upstream.get(0).toString()
                    : upstream.stream().map(URI::toString).toList();
            // the options' upstreams replace the file's (they win, as upstream() takes them): the file's are not read
            fills.add(FillIn.replacing("upstream", upstream.size() == 1 ? "url" : "urls", value, Set.of("url", "urls")));
        }
        if (!trust.isEmpty()) {
            // likewise the keys: a key file the shared file names that this host lacks refuses nothing
            fills.add(FillIn.replacing("upstream", "trust", trust.stream().map(Path::toString).toList(), Set.of("trust")));
        }
        return fills;
    }

    /**
     * {@code problems} ({@code "FILE: key: reason"}) as the operator reads them: a required key
     * missing from both names the option that could give it, a problem of a value an option
     * filled in names the option, and one of a key of the file checked against {@code --listen}'s
     * address starts with {@code --listen: }, as when the options are applied on top.
     */
    private static List<String> explained(List<String> problems, Path file, List<URI> upstream, List<Path> trust,
                                          Address listen, ProxySources from) {
        String in = file + ": ";
        List<String> out = new ArrayList<>();
        for (String line : problems) {
            if (!line.startsWith(in)) {
                out.add(line);
                continue;
            }
            String message = line.substring(in.length());
            if (message.equals("upstream: missing")) {
                // neither gave a section: what it must hold (--upstream and --trust fill it in when given)
                out.add(in + missing("upstream.url", file, "--upstream"));
                if (trust.isEmpty()) {
                    out.add(in + missing("upstream.trust", file, "--trust"));
                }
            } else if (message.equals("upstream.url: missing")) {
                out.add(in + missing("upstream.url", file, "--upstream"));
            } else if (message.startsWith("upstream.trust: missing")) {
                out.add(in + missing("upstream.trust", file, "--trust"));
            } else if (filled(message, "upstream.url", !upstream.isEmpty())
                    || filled(message, "upstream.urls", !upstream.isEmpty())
                    || filled(message, "upstream.trust", !trust.isEmpty())
                    || filled(message, "listen.address", listen != null)) {
                out.add(from.refused(message, null).getMessage());
            } else if (listen != null && message.contains(" listen.address")) {
                out.add("--listen: " + line); // the file's key, refused for the address --listen gives
            } else {
                out.add(line);
            }
        }
        return out;
    }

    private static String missing(String key, Path file, String option) {
        return key + ": missing (" + (key.endsWith("trust") ? "the origin's public key file(s): give them" : "give it")
                + " in " + file + " or as " + option + ")";
    }

    /** Whether {@code message} is about {@code key} (or one of its entries), which an option given stands for. */
    private static boolean filled(String message, String key, boolean given) {
        return given && (message.startsWith(key + ": ") || message.startsWith(key + "["));
    }

    /**
     * The upstream settings: the options' upstreams, keys and CA over {@code fromFile}'s, or the
     * options' alone without a file.
     */
    static UpstreamConfig upstream(UpstreamConfig fromFile, List<URI> upstream, List<Path> trust, Path upstreamCa,
                                   List<String> prefetch, ProxySources from) {
        if (fromFile == null && upstream.isEmpty()) {
            throw new ConfigException("--upstream: missing (or give --config FILE with an upstream section)");
        }
        List<URI> urls = upstream.isEmpty() ? fromFile.urls() : upstream;
        // One upstream is given as url, so that a mistake in it is reported as --upstream's.
        URI one = urls.size() == 1 ? urls.get(0) : null;
        List<URI> several = urls.size() > 1 ? urls : null;
        try {
            if (fromFile == null) {
                return new UpstreamConfig(one, trust, upstreamCa, null, null, null, null, prefetch, several, null, null);
            }
            return new UpstreamConfig(one, trust.isEmpty() ? fromFile.trust() : trust,
                    upstreamCa != null ? upstreamCa : fromFile.ca(), fromFile.connections(), fromFile.connectTimeout(),
                    fromFile.timeout(), fromFile.maxBody(), prefetch.isEmpty() ? fromFile.prefetch() : prefetch,
                    several, fromFile.healthCheck(), fromFile.maxUnverifiedBytes());
        } catch (IllegalArgumentException e) {
            throw from.refused("upstream." + e.getMessage(), null);
        }
    }
}
