package org.rproxy.app;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.UpdateStreamConfig;

/**
 * {@code rproxy proxy --mode push}: a push-mode RProxy from the same settings as pull mode
 * ({@code listen}, {@code name}, {@code upstream.url}, {@code upstream.trust}): it subscribes to
 * the upstream's update stream, verifies every update, serves the full documents it holds and
 * streams them on at {@code /updates}; with pull as the fallback ({@link PushPullProxy}): queries
 * and misses are pulled, and while the stream is down pull refresh-ahead keeps what is served
 * valid. {@code cache}, {@code refresh} and {@code admin} apply as in pull mode.
 */
final class PushMode {

    private PushMode() {
    }

    static int run(ProxyConfig c) throws InterruptedException {
        if (c.upstream().https()) {
            throw new ConfigException("upstream.url: push mode subscribes over http only (for now)");
        }
        if (c.listen().tls() != null) {
            throw new ConfigException("listen.tls: push mode serves http only (for now)");
        }
        try (PushPullProxy proxy = start(c, 0)) {
            System.out.println("proxy (push) " + c.name() + " listening on " + proxy.baseUri()
                    + " subscribed to " + c.upstream().url() + "/updates");
            OriginCommand.awaitShutdown(proxy);
        }
        return 0;
    }

    /** Starts a push proxy from {@code c}; {@code port} overrides the listen port when not 0. */
    static PushPullProxy start(ProxyConfig c, int port) {
        List<VerificationKey> keys = new ArrayList<>();
        List<Path> trust = c.upstream().trust();
        for (int i = 0; i < trust.size(); i++) {
            try {
                keys.add(VerificationKey.readPem(trust.get(i)));
            } catch (RuntimeException e) {
                throw new ConfigException("upstream.trust[" + i + "]: " + trust.get(i) + ": " + e.getMessage(), e);
            }
        }
        ProxyConfig pc = port == 0 ? c
                : c.withListen(new ListenConfig(new Address(c.listen().address().host(), port), c.listen().tls()));
        return PushPullProxy.start(pc, PushFeedConfig.of(c.upstream().url()), UpdateStreamConfig.defaults(),
                new ResponseVerifier(keys, Clock.systemUTC()), Clock.systemUTC());
    }
}
