package org.rproxy.app;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.server.FrontEndConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.push.PushFeedConfig;
import org.rproxy.push.PushProxy;
import org.rproxy.push.UpdateStreamConfig;

/**
 * {@code rproxy proxy --mode push}: a push-mode RProxy from the same settings as pull mode
 * ({@code listen}, {@code name}, {@code upstream.url}, {@code upstream.trust}): it subscribes to
 * the upstream's update stream, verifies every update, serves the full documents it holds and
 * streams them on at {@code /updates}. Queries (filtered maps, endpoint properties and costs)
 * are not served in this mode yet: pull mode serves them.
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
        try (PushProxy proxy = start(c, 0)) {
            System.out.println("proxy (push) " + c.name() + " listening on " + proxy.baseUri()
                    + " subscribed to " + c.upstream().url() + "/updates");
            OriginCommand.awaitShutdown(proxy);
        }
        return 0;
    }

    /** Starts a push proxy from {@code c}; {@code port} overrides the listen port when not 0. */
    static PushProxy start(ProxyConfig c, int port) {
        List<VerificationKey> keys = new ArrayList<>();
        List<Path> trust = c.upstream().trust();
        for (int i = 0; i < trust.size(); i++) {
            try {
                keys.add(VerificationKey.readPem(trust.get(i)));
            } catch (RuntimeException e) {
                throw new ConfigException("upstream.trust[" + i + "]: " + trust.get(i) + ": " + e.getMessage(), e);
            }
        }
        FrontEndConfig fe = FrontEndConfig.defaults(c.listen().address().host(),
                port != 0 ? port : c.listen().address().port());
        return PushProxy.start(fe, PushFeedConfig.of(c.upstream().url()), new ResponseVerifier(keys, Clock.systemUTC()),
                UpdateStreamConfig.defaults());
    }
}
