package org.rproxy.app;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.netty.handler.ssl.SslContext;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.Durations;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.tls.Tls;
import org.rproxy.origin.KeyFileModes;
import org.rproxy.origin.OriginConfig;

/**
 * Checks of {@code rproxy origin}'s options that go together or need more than a converter,
 * made before the origin's settings are built so that the message names the options (as
 * {@code --max-age}) and states durations as they are written ({@code 10s}). Stateless.
 */
final class OriginOptions {
    /** The shortest signature validity the origin takes (as OriginConfig checks). */
    static final Duration MIN_VALIDITY = Duration.ofSeconds(10);

    private OriginOptions() {
    }

    /** --validity is at least {@link #MIN_VALIDITY}, and --max-age at most --validity. */
    static void checkTimes(Duration validity, Duration maxAge) {
        if (validity.compareTo(MIN_VALIDITY) < 0) {
            throw new IllegalArgumentException("--validity: " + Durations.format(validity) + " (expected: at least "
                    + Durations.format(MIN_VALIDITY) + ")");
        }
        if (maxAge.compareTo(validity) > 0) {
            throw new IllegalArgumentException("--max-age: " + Durations.format(maxAge)
                    + " (expected: at most --validity, " + Durations.format(validity) + ")");
        }
    }

    /** --keys-poll is within what the origin takes ({@link OriginConfig#MIN_KEYS_POLL} to {@link OriginConfig#MAX_KEYS_POLL}). */
    static void checkKeysPoll(Duration poll) {
        if (poll.compareTo(OriginConfig.MIN_KEYS_POLL) < 0 || poll.compareTo(OriginConfig.MAX_KEYS_POLL) > 0) {
            throw new IllegalArgumentException("--keys-poll: " + Durations.format(poll) + " (expected: "
                    + Durations.format(OriginConfig.MIN_KEYS_POLL) + " to " + Durations.format(OriginConfig.MAX_KEYS_POLL)
                    + ")");
        }
    }

    /** --public-uri, when given, is an absolute http(s) URI: the directory and update streams name it to clients. */
    static void checkPublicUri(String publicUri) {
        if (publicUri == null) {
            return;
        }
        String expected = "expected: an absolute http(s) URI, e.g. https://alto.example.net";
        URI u;
        try {
            u = new URI(publicUri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--public-uri: '" + publicUri + "' is not a URI ("
                    + e.getReason().toLowerCase(Locale.ROOT) + " at index " + e.getIndex() + "; " + expected + ")", e);
        }
        String scheme = u.getScheme();
        if (u.getRawAuthority() == null || !"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("--public-uri: '" + publicUri + "' (" + expected + ")");
        }
    }
    /** The overlay the directory names, or null when no publisher is given. */
    static OverlayInfo overlay(List<String> overlayPublishers, List<String> overlayBootstrap) {
        if (overlayPublishers.isEmpty()) {
            if (!overlayBootstrap.isEmpty()) {
                throw new IllegalArgumentException("--overlay-bootstrap: needs at least one --overlay-publisher");
            }
            return null;
        }
        try {
            return new OverlayInfo(OverlayInfo.BITTORRENT_DHT, overlayBootstrap, overlayPublishers,
                    OverlayInfo.SALT_RESOURCE_ID);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--overlay-" + e.getMessage().replaceFirst("^publishers", "publisher"), e);
        }
    }

    /** The TLS identity of --tls-cert and --tls-key, or null when neither is given. */
    static TlsConfig tls(Path tlsCert, Path tlsKey) {
        if (tlsCert == null && tlsKey == null) {
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        try {
            return new TlsConfig(tlsCert, tlsKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tls-" + e.getMessage());
        }
    }

    /**
     * The server TLS context of {@code tls}; a certificate or key that cannot be used names
     * --tls-cert, a key other users may read --tls-key.
     */
    static SslContext server(TlsConfig tls) {
        try {
            return Tls.server(tls);
        } catch (ConfigException e) {
            String m = e.getMessage();
            throw new ConfigException(m.startsWith("tls.key: ") ? "--tls-key: " + m.substring("tls.key: ".length())
                    : "--tls-cert: " + m.replaceFirst("^tls: ", ""), e);
        }
    }

    /**
     * --listen and --admin can both be bound: each host resolves, and they are not one address.
     */
    static void checkListeners(Address listen, Address admin) {
        resolvable("--listen", listen);
        if (admin == null) {
            return;
        }
        resolvable("--admin", admin);
        if (admin.clashesWith(listen)) {
            throw new IllegalArgumentException("--admin: " + admin + " is --listen too (" + listen
                    + "; expected: an address or port of its own)");
        }
    }

    /**
     * Why clients could not use {@code url} as an RProxy's base URL ({@code --proxy}), after the
     * URL ({@code " (expected: ...)"}), or null: it is not an absolute http(s) URL, or it has a
     * path, query or fragment, which a client drops (it asks a proxy for the origin's own paths at
     * its root), so a proxy published at {@code http://h/alto} would be asked at {@code http://h/}.
     */
    static String proxyUrlProblem(String url) {
        if (!Directory.isProxyUrl(url)) {
            return " (expected: an absolute http or https URL, e.g. http://203.0.113.7:8282; clients refuse a"
                    + " directory listing anything else)";
        }
        URI u = URI.create(url);
        String path = u.getRawPath();
        if (path != null && !path.isEmpty() && !"/".equals(path) || u.getRawQuery() != null || u.getRawFragment() != null) {
            return " has a path, query or fragment (expected: scheme://host:port; clients ask a proxy for the origin's"
                    + " own paths at its root and would drop it)";
        }
        return null;
    }

    private static void resolvable(String option, Address a) {
        try {
            a.resolvable();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + a + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a private key other users may read, naming the file, its mode and the fix ({@code chmod 600}). */
    static void checkKeyModes(Path key) {
        String problem = KeyFileModes.problem(key);
        if (problem != null) {
            throw new ConfigException(problem);
        }
    }

    /** A warning for each private key its group may read. */
    static List<String> keyModeWarnings(Path key) {
        return KeyFileModes.warnings(key);
    }

    /** A warning for --tls-key when its group may read it (and no more), as for the origin's key. */
    static Optional<String> tlsKeyWarning(Path tlsKey) {
        return tlsKey == null ? Optional.empty() : ProxyFiles.keyWarning("--tls-key", tlsKey);
    }
}
