package org.rproxy.pull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.UpstreamConfig;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.Representation;
import org.rproxy.core.tls.Tls;
import org.rproxy.core.upstream.Upstream;
import org.rproxy.core.upstream.UpstreamClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pull proxy makes of its {@code upstream} section: the keys it trusts, the targets it
 * keeps fresh, and the upstream it sends to (one HTTP client per URL; several behind a
 * {@link FailoverUpstream} with its health checks). Stateless; the parts it starts are handed to
 * the caller to close.
 */
final class UpstreamParts {
    static final String DIRECTORY = "/directory";
    /** The proxy's own logger: what it learns is the proxy's news. */
    private static final Logger LOG = LoggerFactory.getLogger(PullProxy.class);

    private UpstreamParts() {
    }

    /** The configured keys, as anchors that the directories the proxy holds may add to. */
    static TrustedKeys trust(UpstreamConfig up) {
        List<Path> files = up.trust();
        List<VerificationKey> keys = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            try {
                keys.add(VerificationKey.readPem(files.get(i)));
            } catch (RuntimeException e) {
                throw new ConfigException("upstream.trust[" + i + "]: " + files.get(i) + ": " + e.getMessage(), e);
            }
        }
        return new TrustedKeys(keys);
    }

    /**
     * A listener of the copies held that makes {@code keys} trust, beside the configured ones,
     * the keys each verified directory lists (the origin's next key), unless they were learnt from
     * a newer one still valid by {@code clock} ({@link TrustedKeys#learnFrom}). Runs on the holding thread.
     */
    static BiConsumer<String, Representation> learner(TrustedKeys keys, Clock clock) {
        return (target, r) -> {
            if (DIRECTORY.equals(target) && keys.learnFrom(r.identity().body(), r.created(), r.expires(), clock.instant())) {
                LOG.info("trusting the keys {} (configured, and those the directory lists)", keys.keyIds());
            }
        };
    }

    /**
     * The prefetch targets and the directory, which is always kept fresh, asked for or not: it is
     * where the origin announces its next key, and a proxy that never read it would refuse
     * everything signed with that key once the origin switches to it.
     */
    static List<String> prefetch(UpstreamConfig up) {
        if (up.prefetch().contains(DIRECTORY)) {
            return up.prefetch();
        }
        List<String> all = new ArrayList<>(up.prefetch());
        all.add(DIRECTORY);
        return all;
    }

    /**
     * Starts a client per upstream URL (each added to {@code started}, to be closed by the
     * caller); with several, the failover in front of them, checked every {@code health-check}
     * on {@code scheduler}.
     */
    static Upstream connect(UpstreamConfig up, ResponseVerifier verifier, Executor work,
                            ScheduledExecutorService scheduler, List<AutoCloseable> started) {
        List<UpstreamClient> clients = new ArrayList<>();
        for (URI u : up.urls()) {
            UpstreamClient c = UpstreamClient.start(new UpstreamClient.Settings(u.getHost(), UpstreamConfig.port(u),
                    up.https() ? Tls.client(up.ca()) : null, up.connections(), up.connectTimeout(), up.timeout(),
                    (int) up.maxBody().bytes(), 1));
            started.add(c);
            clients.add(c);
        }
        if (!up.several()) {
            return clients.get(0);
        }
        FailoverUpstream failover = new FailoverUpstream(up.urls(), clients, verifier, work);
        long every = up.healthCheck().toMillis();
        scheduler.scheduleWithFixedDelay(failover::check, every, every, TimeUnit.MILLISECONDS);
        return failover;
    }
}
