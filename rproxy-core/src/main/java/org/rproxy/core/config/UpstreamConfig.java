package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.atLeast;
import static org.rproxy.core.config.ConfigChecks.entries;
import static org.rproxy.core.config.ConfigChecks.orDefault;
import static org.rproxy.core.config.ConfigChecks.positive;
import static org.rproxy.core.config.ConfigChecks.required;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The upstream a proxy takes its documents from: the origin or another RProxy, over HTTP or
 * HTTPS, and the keys its documents must be signed with. Several upstreams may be listed, in
 * order of preference: the proxy uses the first one that is healthy and comes back to a
 * preferred one when it recovers. Either {@code url} or {@code urls} is given; once built, both
 * are filled in ({@code url} is the first of {@code urls}).
 *
 * @param url            {@code http://host:port} or {@code https://host:port}, no path; without a
 *                       port, the scheme's (80, 443)
 * @param trust          PEM (SPKI) public keys of the origin; at least one. Keys the origin
 *                       lists in a directory signed by one of them are trusted too (its next key)
 * @param ca             PEM certificate(s) to trust for an {@code https} upstream instead of the
 *                       JDK's default trust store, or null
 * @param connections    keep-alive connections to the upstream at most (default 8)
 * @param connectTimeout how long a connection attempt may take (default 2s)
 * @param timeout        how long an upstream answer may take (default 10s)
 * @param maxBody        the largest upstream body accepted (default 64MB)
 * @param prefetch       request targets fetched at start and kept fresh whether asked for or
 *                       not; readiness waits for them (default none)
 * @param urls           the upstreams in order of preference, or null for {@code url} alone
 * @param healthCheck    how often each of several upstreams is checked (its directory fetched and
 *                       verified) to know which are up (default 2s)
 * @param maxUnverifiedBytes the bytes of upstream answers a pull proxy holds at once from the moment
 *                       each is received until its verification ends (waiting for a worker thread or
 *                       being verified), and of the query bodies it forwards from the start of their
 *                       exchange until the answer comes (waiting for a connection included); an
 *                       answer or query past it is dropped and its request answered 503.
 *                       At least {@code maxBody}; null for the default, {@link #unverifiedBytesForHeap
 *                       a share of the heap} ({@link #effectiveMaxUnverifiedBytes})
 */
public record UpstreamConfig(URI url, List<Path> trust, Path ca, Integer connections, Duration connectTimeout,
                             Duration timeout, ByteSize maxBody, List<String> prefetch, List<URI> urls,
                             Duration healthCheck, ByteSize maxUnverifiedBytes) {

    /** The default {@link #maxUnverifiedBytes} is the heap divided by this (128 MB of a 1 GB heap). */
    public static final int HEAP_SHARE_FOR_UNVERIFIED = 8;

    public UpstreamConfig {
        // A built config has both (url is the first of urls): copying one stays valid.
        if (url != null && urls != null && (urls.isEmpty() || !url.equals(urls.get(0)))) {
            throw new IllegalArgumentException("urls: given with url (expected: one of them)");
        }
        if (urls == null) {
            checkUrl(required(url, "url"), "url");
            urls = List.of(url);
        } else {
            urls = new ArrayList<>(urls); // List.copyOf would refuse a null entry before it is named
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("urls: empty (expected: at least one http(s)://host:port)");
            }
            for (int i = 0; i < urls.size(); i++) {
                checkUrl(urls.get(i), "urls[" + i + "]");
                if (urls.indexOf(urls.get(i)) != i) {
                    throw new IllegalArgumentException("urls[" + i + "]: '" + urls.get(i) + "' is listed twice");
                }
                if (!urls.get(i).getScheme().equalsIgnoreCase(urls.get(0).getScheme())) {
                    throw new IllegalArgumentException("urls[" + i + "]: '" + urls.get(i)
                            + "' (expected: the same scheme as urls[0], " + urls.get(0).getScheme() + ")");
                }
            }
            urls = List.copyOf(urls);
            url = urls.get(0);
        }
        healthCheck = positive(healthCheck, Duration.ofSeconds(2), "health-check");
        trust = entries(trust, "trust");
        if (trust.isEmpty()) {
            throw new IllegalArgumentException("trust: missing (expected: the origin's public key file(s))");
        }
        for (int i = 0; i < trust.size(); i++) {
            if (!Files.isReadable(trust.get(i))) {
                throw new IllegalArgumentException("trust[" + i + "]: " + trust.get(i) + " is not a readable file");
            }
        }
        if (ca != null && !"https".equalsIgnoreCase(url.getScheme())) {
            // Only an https upstream is asked for a certificate: a CA given for http would go unread.
            throw new IllegalArgumentException("ca: " + ca + " is given but the upstream " + url
                    + " is not https (expected: ca only with an https:// upstream)");
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
        if (maxUnverifiedBytes != null && maxUnverifiedBytes.bytes() < maxBody.bytes()) {
            throw new IllegalArgumentException("max-unverified-bytes: " + maxUnverifiedBytes + " (expected: at least"
                    + " max-body, " + maxBody + ", or one answer of that size could never be verified)");
        }
        prefetch = entries(prefetch, "prefetch");
        for (int i = 0; i < prefetch.size(); i++) {
            if (!prefetch.get(i).startsWith("/")) {
                throw new IllegalArgumentException("prefetch[" + i + "]: '" + prefetch.get(i)
                        + "' (expected: a request target such as /directory)");
            }
        }
    }

    private static void checkUrl(URI url, String key) {
        required(url, key);
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException(key + ": '" + url + "' (expected: http:// or https://)");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException(key + ": '" + url + "' has no host");
        }
        if (url.getPort() == 0 || url.getPort() > 65_535) {
            throw new IllegalArgumentException(key + ": '" + url + "': port " + url.getPort()
                    + " out of range (expected: 1-65535)");
        }
        if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")
                || url.getRawQuery() != null) {
            throw new IllegalArgumentException(key + ": '" + url
                    + "' has a path or query (expected: scheme://host:port; signed paths are the origin's)");
        }
    }

    /** Just a URL and trusted keys, everything else by default. */
    public static UpstreamConfig of(URI url, List<Path> trust) {
        return new UpstreamConfig(url, trust, null, null, null, null, null, null, null, null, null);
    }

    /** Several upstreams in order of preference and trusted keys, everything else by default. */
    public static UpstreamConfig of(List<URI> urls, List<Path> trust) {
        return new UpstreamConfig(null, trust, null, null, null, null, null, null, urls, null, null);
    }

    /** True when more than one upstream is listed. */
    public boolean several() {
        return urls.size() > 1;
    }

    public boolean https() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    /** The port of {@code url}, with the scheme's default filled in. */
    public int port() {
        return port(url);
    }

    /** The port of {@code u}, with the scheme's default filled in. */
    public static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    public UpstreamConfig withCa(Path file) {
        return new UpstreamConfig(null, trust, file, connections, connectTimeout, timeout, maxBody, prefetch, urls,
                healthCheck, maxUnverifiedBytes);
    }

    public UpstreamConfig withPrefetch(List<String> targets) {
        return new UpstreamConfig(null, trust, ca, connections, connectTimeout, timeout, maxBody, targets, urls,
                healthCheck, maxUnverifiedBytes);
    }

    public UpstreamConfig withTimeout(Duration t) {
        return new UpstreamConfig(null, trust, ca, connections, connectTimeout, t, maxBody, prefetch, urls,
                healthCheck, maxUnverifiedBytes);
    }

    public UpstreamConfig withMaxUnverifiedBytes(ByteSize size) {
        return new UpstreamConfig(null, trust, ca, connections, connectTimeout, timeout, maxBody, prefetch, urls,
                healthCheck, size);
    }

    public UpstreamConfig withMaxBody(ByteSize size) {
        return new UpstreamConfig(null, trust, ca, connections, connectTimeout, timeout, size, prefetch, urls,
                healthCheck, maxUnverifiedBytes);
    }

    /** {@link #maxUnverifiedBytes} as applied: when not given, this JVM's heap share ({@link #unverifiedBytesForHeap}). */
    public long effectiveMaxUnverifiedBytes() {
        return maxUnverifiedBytes != null ? maxUnverifiedBytes.bytes()
                : unverifiedBytesForHeap(Runtime.getRuntime().maxMemory(), maxBody.bytes());
    }

    /**
     * The default {@link #maxUnverifiedBytes} for a heap of {@code heapBytes}: its
     * {@link #HEAP_SHARE_FOR_UNVERIFIED}th, never less than one answer of {@code maxBody}.
     */
    public static long unverifiedBytesForHeap(long heapBytes, long maxBody) {
        long heap = heapBytes <= 0 || heapBytes == Long.MAX_VALUE ? 1L << 30 : heapBytes;
        return Math.max(maxBody, heap / HEAP_SHARE_FOR_UNVERIFIED);
    }

    public UpstreamConfig withHealthCheck(Duration every) {
        return new UpstreamConfig(null, trust, ca, connections, connectTimeout, timeout, maxBody, prefetch, urls, every,
                maxUnverifiedBytes);
    }
}
