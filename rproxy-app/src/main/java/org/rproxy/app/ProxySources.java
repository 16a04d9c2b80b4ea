package org.rproxy.app;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.ConfigException;

/**
 * Where each setting of {@code rproxy proxy} came from, so that a refused one is named as the
 * operator gave it: the option on the command line ({@code --upstream}, {@code --tls-cert}), else
 * the config file and the dotted key ({@code p.yaml: upstream.trust[0]}). A setting given by both
 * is the option's (it wins). Immutable.
 */
final class ProxySources {
    private final Path file;
    /** Dotted key (without indexes) → the option that gave it; the longest key that starts a message wins. */
    private final Map<String, String> options;

    ProxySources(Path file, Map<String, String> options) {
        this.file = file;
        this.options = new LinkedHashMap<>(options);
    }

    /** The sources of {@code rproxy proxy}'s settings: each option given (null or empty: not given). */
    static ProxySources of(Path file, List<URI> upstream, List<Path> trust, Path upstreamCa, List<String> prefetch,
                           Address listen, ListenLimitOptions limits, ByteSize sendBuffer, Path tlsCert, Path tlsKey,
                           Address admin, Path spoolDir) {
        Map<String, String> given = new LinkedHashMap<>();
        given(given, !upstream.isEmpty(), "upstream.url", "--upstream");
        given(given, !upstream.isEmpty(), "upstream.urls", "--upstream");
        given(given, !trust.isEmpty(), "upstream.trust", "--trust");
        given(given, upstreamCa != null, "upstream.ca", "--upstream-ca");
        given(given, !prefetch.isEmpty(), "upstream.prefetch", "--prefetch");
        given(given, listen != null, "listen.address", "--listen");
        given.putAll(limits.given());
        given(given, sendBuffer != null, "listen.send-buffer", "--send-buffer");
        given(given, tlsCert != null, "listen.tls", "--tls-cert");
        given(given, tlsKey != null, "listen.tls.key", "--tls-key");
        given(given, admin != null, "admin.address", "--admin");
        given(given, spoolDir != null, "cache.spool-dir", "--spool-dir");
        return new ProxySources(file, given);
    }

    /** These sources and {@code more} options given, by the file key each stands for. */
    ProxySources and(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(options);
        all.putAll(more);
        return new ProxySources(file, all);
    }

    /** The file keys the options given stand for (dotted paths from the file's root), which they win over. */
    Set<String> keysGiven() {
        return Set.copyOf(options.keySet());
    }

    private static void given(Map<String, String> given, boolean yes, String key, String option) {
        if (yes) {
            given.put(key, option);
        }
    }

    /** The file the settings were read from, or null. */
    Path file() {
        return file;
    }

    /** How to name {@code key} (a dotted path from the file's root, indexes included). */
    String name(String key) {
        String option = option(key);
        if (option != null) {
            return option;
        }
        return file == null ? key : file + ": " + key;
    }

    /**
     * {@code message} ({@code "key: reason"}, the key a dotted path from the file's root) as the
     * operator's message: {@code "--option: reason"} for a key given on the command line, else
     * {@code "FILE: key: reason"}; when the key is the file's but {@code trigger}, an option given,
     * is what made it fail (a check across keys), {@code "--trigger: FILE: key: reason"}.
     */
    ConfigException refused(String message, String trigger, Throwable cause) {
        ConfigException e = refused(message, trigger);
        e.initCause(cause); // a host name that did not resolve stays visible to Main.exitCode
        return e;
    }

    /** {@link #refused(String, String, Throwable)} without a cause. */
    ConfigException refused(String message, String trigger) {
        int colon = message.indexOf(": ");
        String key = colon < 0 ? message : message.substring(0, colon);
        String rest = colon < 0 ? "" : message.substring(colon + 2);
        String option = option(key);
        if (option != null) {
            return new ConfigException(option + ": " + rest);
        }
        String inFile = file == null ? message : file + ": " + message;
        return new ConfigException(trigger == null ? inFile : trigger + ": " + inFile);
    }

    private String option(String key) {
        String plain = key.replaceAll("\\[\\d+]", "");
        String best = null;
        int length = -1;
        for (Map.Entry<String, String> e : options.entrySet()) {
            boolean covers = plain.equals(e.getKey()) || plain.startsWith(e.getKey() + ".");
            if (covers && e.getKey().length() > length) {
                best = e.getValue();
                length = e.getKey().length();
            }
        }
        return best;
    }

    /** "--queries" and "--mode": the names of an enum's values, or a refusal naming the option. */
    static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.toString().equalsIgnoreCase(value)) {
                return e;
            }
        }
        StringBuilder expected = new StringBuilder();
        E[] all = type.getEnumConstants();
        for (int i = 0; i < all.length; i++) {
            expected.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].toString()
                    .toLowerCase(Locale.ROOT));
        }
        throw new ConfigException(option + ": '" + value + "' (expected: " + expected + ")");
    }
}
