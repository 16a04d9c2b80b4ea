package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.orDefault;
import static org.rproxy.core.config.ConfigChecks.required;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Settings of an RProxy ({@code rproxy proxy}), the root of {@code conf/pull.yaml}. Read once at
 * start by {@link ConfigLoader}; every section is validated when built, so a proxy that starts
 * has a usable configuration. Absent sections take the defaults below; {@code upstream} is
 * required.
 *
 * <pre>
 * mode: pull                 # pull or push
 * name: rproxy               # the pseudonym in Via
 * listen: {address: 0.0.0.0:8282, tls: {cert: ..., key: ...}, max-connections: 10000}
 * upstream: {url: http://origin:8181, trust: [keys/origin.pub], ...}   # or urls: [a, b], in order of preference
 * cache: {max-bytes: 256MB}
 * refresh: {tick: 1s, ahead: 5s, retry: 5s, min-interval: 1s, forget-after: 1h}
 * admin: {address: 127.0.0.1:9090}   # absent: no admin listener
 * push: {heartbeat: 10s, read-timeout: 20s, ...}   # update streams (this proxy's /updates in both modes), see PushConfig
 * queries: local             # local: compute query answers from held maps; upstream: forward them
 * limits: {max-endpoint-pairs: 250000}   # work one query may ask for, see LimitsConfig
 * </pre>
 *
 * @param mode     how the proxy keeps its copies current
 * @param name     the pseudonym this proxy adds to {@code Via} (RFC 9110 §7.6.3)
 * @param listen   where clients connect
 * @param upstream the origin or proxy (or several, in order of preference) to take documents from
 * @param cache    the store's bound
 * @param refresh  timings of refresh-ahead and retries
 * @param admin    the admin listener (metrics, health), or null when off
 * @param push     timings and bounds of update streams: the upstream's (push mode) and this proxy's own
 * @param queries  where query answers come from
 * @param limits   how much work one query may ask for
 */
public record ProxyConfig(Mode mode, String name, ListenConfig listen, UpstreamConfig upstream, CacheConfig cache,
                          RefreshConfig refresh, AdminConfig admin, PushConfig push, Queries queries,
                          LimitsConfig limits) {

    /** How the proxy keeps its copies current. */
    public enum Mode {
        PULL, PUSH;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Where query answers (filtered maps, endpoint properties and costs, the seed's rows, lookups
     * and rankings) come from: computed from the verified maps held ({@code local})
     * whenever every map a query needs is held, else forwarded; or always forwarded ({@code upstream}).
     */
    public enum Queries {
        LOCAL, UPSTREAM;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ProxyConfig {
        mode = orDefault(mode, Mode.PULL);
        name = orDefault(name, "rproxy");
        if (!name.matches("[A-Za-z0-9._:-]{1,64}")) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: 1-64 of [A-Za-z0-9._:-], a Via pseudonym)");
        }
        listen = orDefault(listen, new ListenConfig(null, null));
        required(upstream, "upstream");
        cache = orDefault(cache, new CacheConfig(null));
        refresh = orDefault(refresh, new RefreshConfig(null, null, null, null, null));
        push = orDefault(push, PushConfig.defaults());
        queries = orDefault(queries, Queries.LOCAL);
        limits = orDefault(limits, LimitsConfig.defaults());
        if (admin != null && admin.address().clashesWith(listen.address())) {
            throw new IllegalArgumentException("admin.address: " + admin.address() + " is listen.address too ("
                    + listen.address() + "; expected: an address or port of its own)");
        }
        List<URI> urls = upstream.urls();
        for (int i = 0; i < urls.size(); i++) {
            if (isOwnAddress(listen.address(), urls.get(i))) {
                throw new IllegalArgumentException("upstream." + (urls.size() == 1 ? "url" : "urls[" + i + "]") + ": '"
                        + urls.get(i) + "' is this proxy's own listen.address (" + listen.address()
                        + "): it would be its own upstream");
            }
        }
    }

    /**
     * Whether {@code url} names the address this proxy listens on: the same port, and the same
     * host, a loopback host for a loopback listener, or a loopback host for a listener on every
     * address. Literals and {@code localhost} only: no name is looked up.
     */
    static boolean isOwnAddress(Address listen, URI url) {
        if (listen == null || listen.port() == 0 || UpstreamConfig.port(url) != listen.port()) {
            return false;
        }
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        if (host.equalsIgnoreCase(listen.host())) {
            return true;
        }
        boolean toLoopback = isLoopbackLiteral(host);
        return toLoopback && (isLoopbackLiteral(listen.host()) || isAnyAddress(listen.host()));
    }

    private static boolean isLoopbackLiteral(String host) {
        return host.equalsIgnoreCase("localhost") || host.startsWith("127.") && host.chars().allMatch(
                c -> c == '.' || Character.isDigit(c)) || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    }

    private static boolean isAnyAddress(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** Without {@code push}, {@code queries} and {@code limits} sections: their defaults. */
    public ProxyConfig(Mode mode, String name, ListenConfig listen, UpstreamConfig upstream, CacheConfig cache,
                       RefreshConfig refresh, AdminConfig admin) {
        this(mode, name, listen, upstream, cache, refresh, admin, null, null, null);
    }

    public ProxyConfig withListen(ListenConfig l) {
        return new ProxyConfig(mode, name, l, upstream, cache, refresh, admin, push, queries, limits);
    }

    public ProxyConfig withUpstream(UpstreamConfig u) {
        return new ProxyConfig(mode, name, listen, u, cache, refresh, admin, push, queries, limits);
    }

    public ProxyConfig withCache(CacheConfig c) {
        return new ProxyConfig(mode, name, listen, upstream, c, refresh, admin, push, queries, limits);
    }

    public ProxyConfig withRefresh(RefreshConfig r) {
        return new ProxyConfig(mode, name, listen, upstream, cache, r, admin, push, queries, limits);
    }

    public ProxyConfig withAdmin(AdminConfig a) {
        return new ProxyConfig(mode, name, listen, upstream, cache, refresh, a, push, queries, limits);
    }

    public ProxyConfig withMode(Mode m) {
        return new ProxyConfig(m, name, listen, upstream, cache, refresh, admin, push, queries, limits);
    }

    public ProxyConfig withPush(PushConfig p) {
        return new ProxyConfig(mode, name, listen, upstream, cache, refresh, admin, p, queries, limits);
    }

    public ProxyConfig withQueries(Queries q) {
        return new ProxyConfig(mode, name, listen, upstream, cache, refresh, admin, push, q, limits);
    }

    public ProxyConfig withLimits(LimitsConfig l) {
        return new ProxyConfig(mode, name, listen, upstream, cache, refresh, admin, push, queries, l);
    }

    public ProxyConfig withName(String n) {
        return new ProxyConfig(mode, n, listen, upstream, cache, refresh, admin, push, queries, limits);
    }
}
