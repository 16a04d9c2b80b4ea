package org.rproxy.app;

import java.time.Clock;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.overlay.OverlayConfig;
import org.rproxy.overlay.OverlayPublisher;

/**
 * {@code rproxy proxy --mode push}: a push-mode RProxy from the same settings as pull mode
 * ({@code listen}, {@code name}, {@code upstream}) plus the {@code push} section's timings: it
 * subscribes to the upstream's update stream (over https when the URL says so, trusting
 * {@code upstream.ca}), verifies every update, serves the full documents it holds and streams
 * them on at {@code /updates} (https with {@code listen.tls}); with pull as the fallback
 * ({@link PushPullProxy}): queries and misses are pulled, and while the stream is down pull
 * refresh-ahead keeps what is served valid. {@code cache}, {@code refresh} and {@code admin}
 * apply as in pull mode.
 */
final class PushMode {

    private PushMode() {
    }

    /**
     * @param overlay   where to publish what the proxy holds, or null
     * @param listeners the listen and admin addresses of {@code c}, which name a bind that fails
     */
    @SuppressWarnings("try") // the shutdown hook closes them; try-with-resources covers a failed start
    static int run(ProxyConfig c, OverlayConfig overlay, Listeners listeners) throws InterruptedException {
        NodeShutdown shutdown = NodeShutdown.install(); // before the node listens: a stop from then on closes it
        try (OverlayPublisher publisher = overlay == null ? null : OverlayPublisher.start(overlay);
             PushPullProxy proxy = listeners.binding(() -> start(c, 0))) {
            if (publisher != null) {
                // each copy as the node's verifier verified it (pushed or pulled): published without verifying it again
                proxy.pull().addVerifiedListener(publisher::offer);
                proxy.pull().addGoneListener(publisher::gone); // retired upstream: no longer published
                publisher.bindTo(proxy.pull().registry());
                System.out.println("publishing into the overlay with key " + publisher.publicKey());
            }
            System.out.println(startLine(c, proxy));
            shutdown.await(() -> {
                proxy.close();
                if (publisher != null) {
                    publisher.close();
                }
            });
        } finally {
            shutdown.startEnded();
        }
        return 0;
    }

    /** What a push proxy prints once it listens: the stream is being subscribed to, not open yet (its log says when). */
    static String startLine(ProxyConfig c, PushPullProxy proxy) {
        return "proxy (push) " + c.name() + " listening on " + proxy.baseUri() + "; subscribing to the update stream of "
                + c.upstream().urls() + "; update streams at /updates" + (proxy.pull().adminAddress() == null ? ""
                : "; admin on http://" + Address.of(proxy.pull().adminAddress()));
    }

    /** Starts a push proxy from {@code c}; {@code port} overrides the listen port when not 0. */
    static PushPullProxy start(ProxyConfig c, int port) {
        ProxyConfig pc = port == 0 ? c
                : c.withListen(c.listen().withAddress(new Address(c.listen().address().host(), port)));
        return PushPullProxy.start(pc, Clock.systemUTC());
    }
}
