package org.rproxy.app;

import org.rproxy.core.config.AdminConfig;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.LimitsConfig;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.config.UpstreamConfig;

/**
 * The settings {@code rproxy proxy} starts with: its file's (if any) with its options on top, each
 * option checked as the file's key it stands for, a refusal naming the option ({@code --max-bytes:
 * ...}) or the file and key. Every option refused is told, not the first alone
 * ({@link OptionProblems}): the listen settings, the admin address, and each of the others are
 * checked whatever the rest found; the file and the upstream, which all of them are applied to,
 * stop the check where they fail. Stateless.
 */
final class ProxySettings {

    private ProxySettings() {
    }

    /** {@code p}'s file settings (if any) with its options on top. */
    static ProxyConfig of(ProxyCommand p) {
        ProxySources from = p.sources();
        OptionProblems problems = new OptionProblems();
        ProxyConfig.Mode m = problems.value(() -> p.mode == null ? null
                : ProxySources.parse(ProxyConfig.Mode.class, p.mode, "--mode"), null);
        ProxyConfig base = p.config != null ? ProxyFile.load(p.config, p.upstream, p.trust, p.listen, from) : null;
        UpstreamConfig up = ProxyFile.upstream(base == null ? null : base.upstream(), p.upstream, p.trust, p.upstreamCa,
                p.prefetch, from);
        ProxyConfig c;
        try {
            c = base == null ? new ProxyConfig(m != null ? m : ProxyConfig.Mode.PULL, p.name, null, up, null, null, null)
                    : base.withUpstream(up);
        } catch (IllegalArgumentException e) {
            throw from.refused(e.getMessage(), "--upstream");
        }
        if (m != null) {
            c = c.withMode(m);
        }
        if (p.name != null) {
            c = c.withName(p.name);
        }
        ProxyConfig named = c;
        // the file's, with the options given on top (the same again when none is)
        ListenConfig l = problems.value(() -> listen(p, named, from), null);
        c = l == null ? c : problems.apply(c, x -> withListeners(p, x, l, from));
        c = c.withPush(p.streamLimits.applyTo(c.push(), problems));
        if (p.maxBytes != null) {
            c = problems.apply(c, x -> ListenLimitOptions.option(() -> x.withCache(x.cache().withMaxBytes(p.maxBytes))));
        }
        if (p.noSpool || p.spoolDir != null) {
            c = c.withCache(c.cache().withSpool(!p.noSpool && c.cache().spool(),
                    p.spoolDir != null ? p.spoolDir : c.cache().spoolDir()));
        }
        if (p.maxEndpointPairs != null) {
            c = problems.apply(c, x -> ListenLimitOptions.option(() -> x.withLimits(new LimitsConfig(p.maxEndpointPairs))));
        }
        if (p.queries != null) {
            c = problems.apply(c, x -> x.withQueries(ProxySources.parse(ProxyConfig.Queries.class, p.queries, "--queries")));
        }
        try {
            problems.throwIfAny();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e); // one option refused (--max-bytes: ...), as a file's key is
        }
        return c;
    }

    /** The listen settings of {@code c} with {@code p}'s options on top. */
    private static ListenConfig listen(ProxyCommand p, ProxyConfig c, ProxySources from) {
        try {
            return p.listenLimits.over(c.listen(), p.listen != null ? p.listen : c.listen().address(),
                    tls(p, c.listen().tls()), p.sendBuffer != null ? p.sendBuffer : c.listen().sendBuffer());
        } catch (IllegalArgumentException e) {
            throw from.refused("listen." + e.getMessage(), null, e);
        }
    }

    /** {@code c} with {@code l} and {@code p}'s admin address: each checked against the other as both end up. */
    private static ProxyConfig withListeners(ProxyCommand p, ProxyConfig c, ListenConfig l, ProxySources from) {
        try {
            return new ProxyConfig(c.mode(), c.name(), l, c.upstream(), c.cache(), c.refresh(),
                    p.admin != null ? new AdminConfig(p.admin) : c.admin(), c.push(), c.queries(), c.limits());
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw from.refused(m.startsWith("address:") ? "admin." + m : m, p.listen != null ? "--listen" : "--admin", e);
        }
    }

    private static TlsConfig tls(ProxyCommand p, TlsConfig fromFile) {
        if (p.tlsCert == null && p.tlsKey == null) {
            return fromFile;
        }
        if (p.tlsCert == null || p.tlsKey == null) {
            throw new ConfigException("--tls-cert and --tls-key go together");
        }
        try {
            return new TlsConfig(p.tlsCert, p.tlsKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls." + e.getMessage(), e); // listen.tls.cert: --tls-cert
        }
    }
}
