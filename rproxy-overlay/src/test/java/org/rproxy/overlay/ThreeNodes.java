package org.rproxy.overlay;

import java.nio.file.Path;

/**
 * The three nodes of many {@link NamespaceChecks}, started and joined in the checks' network
 * namespace: a publisher on host 1 ({@link #honest}) and client peers on hosts 2 ({@link #other},
 * a third DHT node) and 3 ({@link #client}). Closing it closes them in the reverse order, as a
 * try-with-resources of the three does.
 */
final class ThreeNodes implements AutoCloseable {
    final OverlayPublisher honest;
    final OverlayClient other;
    final OverlayClient client;

    private ThreeNodes(OverlayPublisher honest, OverlayClient other, OverlayClient client) {
        this.honest = honest;
        this.other = other;
        this.client = client;
    }

    /** Starts the three nodes, each with its own folder under {@code dir}, and waits until they have joined. */
    static ThreeNodes start(Path dir) throws Exception {
        return start(dir, RenewalTimes.DEFAULT);
    }

    /** As {@link #start(Path)}, the nodes keeping their records by {@code times}. */
    static ThreeNodes start(Path dir, RenewalTimes times) throws Exception {
        OverlayPublisher honest = OverlayPublisher.start(NamespaceChecks.config(dir, 1, NamespaceChecks.key(dir, 1)), times);
        OverlayClient other = null;
        OverlayClient client = null;
        try {
            other = OverlayClient.start(NamespaceChecks.config(dir, 2, null), times);
            client = OverlayClient.start(NamespaceChecks.config(dir, 3, null), times);
            NamespaceChecks.joined(honest, other, client);
            return new ThreeNodes(honest, other, client);
        } catch (Exception | Error e) {
            close(honest, other, client);
            throw e;
        }
    }

    /** The publisher's swarm. */
    Swarm seeder() throws Exception {
        return NamespaceChecks.node(honest).swarm();
    }

    /** The client's (host 3's) swarm. */
    Swarm swarm() throws Exception {
        return NamespaceChecks.node(client).swarm();
    }

    @Override
    public void close() {
        close(honest, other, client);
    }

    /** Closes those of the nodes started (not null), the last first. */
    @SuppressWarnings("try")
    private static void close(OverlayPublisher honest, OverlayClient other, OverlayClient client) {
        try (OverlayPublisher h = honest; OverlayClient o = other; OverlayClient c = client) {
            // closed by the try, in the reverse order
        }
    }
}
