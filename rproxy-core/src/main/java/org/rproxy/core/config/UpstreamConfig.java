package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.atLeast;
import static org.rproxy.core.config.ConfigChecks.orDefault;
import static org.rproxy.core.config.ConfigChecks.positive;
import static org.rproxy.core.config.ConfigChecks.required;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The upstream a proxy takes its documents from: the origin or another RProxy, over HTTP or
 * HTTPS, and the keys its documents must be signed with.
 *
 * @param url            {@code http://host:port} or {@code https://host:port}, no path
 * @param trust          PEM (SPKI) public keys of the origin; at least one
 * @param ca             PEM certificate(s) to trust for an {@code https} upstream instead of the
 *                       JDK's default trust store, or null
 * @param connections    keep-alive connections to the upstream at most (default 8)
 * @param connectTimeout how long a connection attempt may take (default 2s)
 * @param timeout        how long an upstream answer may take (default 10s)
 * @param maxBody        the largest upstream body accepted (default 64MB)
 * @param prefetch       request targets fetched at start and kept fresh whether asked for or
 *                       not; readiness waits for them (default none)
 */
public record UpstreamConfig(URI url, List<Path> trust, Path ca, Integer connections, Duration connectTimeout,
                             Duration timeout, ByteSize maxBody, List<String> prefetch) {

    public UpstreamConfig {
        required(url, "url");
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("url: '" + url + "' (expected: http:// or https://)");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("url: '" + url + "' has no host");
        }
        if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")
                || url.getRawQuery() != null) {
            throw new IllegalArgumentException("url: '" + url
                    + "' has a path or query (expected: scheme://host:port; signed paths are the origin's)");
        }
        trust = trust == null ? List.of() : List.copyOf(trust);
        if (trust.isEmpty()) {
            throw new IllegalArgumentException("trust: missing (expected: the origin's public key file(s))");
        }
        for (int i = 0; i < trust.size(); i++) {
            if (!Files.isReadable(trust.get(i))) {
                throw new IllegalArgumentException("trust[" + i + "]: " + trust.get(i) + " is not a readable file");
            }
        }
        if (ca != null && !Files.isReadable(ca)) {
            throw new IllegalArgumentException("ca: " + ca + " is not a readable file");
        }
        connections = atLeast(connections, 8, 1, "connections");
        connectTimeout = positive(connectTimeout, Duration.ofSeconds(2), "connect-timeout");
        timeout = positive(timeout, Duration.ofSeconds(10), "timeout");
        maxBody = orDefault(maxBody, ByteSize.ofMegabytes(64));
        if (maxBody.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max-body: " + maxBody + " (expected: < 2GB)");
        }
        prefetch = prefetch == null ? List.of() : List.copyOf(prefetch);
        for (int i = 0; i < prefetch.size(); i++) {
            if (!prefetch.get(i).startsWith("/")) {
                throw new IllegalArgumentException("prefetch[" + i + "]: '" + prefetch.get(i)
                        + "' (expected: a request target such as /directory)");
            }
        }
    }

    /** Just a URL and trusted keys, everything else by default. */
    public static UpstreamConfig of(URI url, List<Path> trust) {
        return new UpstreamConfig(url, trust, null, null, null, null, null, null);
    }

    public boolean https() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    /** The port, with the scheme's default filled in. */
    public int port() {
        return url.getPort() >= 0 ? url.getPort() : https() ? 443 : 80;
    }

    public UpstreamConfig withCa(Path file) {
        return new UpstreamConfig(url, trust, file, connections, connectTimeout, timeout, maxBody, prefetch);
    }

    public UpstreamConfig withPrefetch(List<String> targets) {
        return new UpstreamConfig(url, trust, ca, connections, connectTimeout, timeout, maxBody, targets);
    }

    public UpstreamConfig withTimeout(Duration t) {
        return new UpstreamConfig(url, trust, ca, connections, connectTimeout, t, maxBody, prefetch);
    }
}
