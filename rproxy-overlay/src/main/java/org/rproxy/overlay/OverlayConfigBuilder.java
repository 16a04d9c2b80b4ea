package org.rproxy.overlay;

import static org.rproxy.core.config.ConfigChecks.required;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;

/**
 * {@link OverlayConfig}'s settings set one by one (from {@link OverlayConfig#builder()}), each
 * named for its key in the file; one not set (or set to null) takes its default, and
 * {@link #build()} checks them all as a file is checked. Not thread-safe; each setter returns this builder.
 */
public final class OverlayConfigBuilder {
    private String bind;
    private Integer dhtPort;
    private Integer btPort;
    private List<Address> bootstrap;
    private Boolean routerBootstrap;
    private Path key;
    private Path storage;
    private Boolean seeding;
    private Duration budget;
    private Duration republish;
    private ByteSize maxBundle;
    private DhtStoreConfig dhtStore;
    private List<String> publishers;

    OverlayConfigBuilder() {
    }

    /** {@code bind}: the one global unicast address of this host the sockets use (default: the DHT's choice). */
    public OverlayConfigBuilder bind(String address) {
        this.bind = address;
        return this;
    }

    /** {@code dht-port} (UDP), required. */
    public OverlayConfigBuilder dhtPort(Integer port) {
        this.dhtPort = port;
        return this;
    }

    /** {@code bt-port} (TCP), required. */
    public OverlayConfigBuilder btPort(Integer port) {
        this.btPort = port;
        return this;
    }

    /** {@code bootstrap}: the DHT nodes to join through (needed unless {@link #routerBootstrap}). */
    public OverlayConfigBuilder bootstrap(List<Address> nodes) {
        this.bootstrap = nodes;
        return this;
    }

    /**
     * {@code bootstrap}, each {@code HOST:PORT}.
     *
     * @throws IllegalArgumentException {@code "bootstrap[0]: 'x' is not HOST:PORT (...)"}
     */
    public OverlayConfigBuilder bootstrap(String... hostPorts) {
        List<Address> nodes = new ArrayList<>();
        for (int i = 0; i < hostPorts.length; i++) {
            try {
                nodes.add(Address.parse(required(hostPorts[i], "bootstrap[" + i + "]")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith("bootstrap[") ? e.getMessage()
                        : "bootstrap[" + i + "]: " + e.getMessage(), e);
            }
        }
        return bootstrap(nodes);
    }

    /** {@code router-bootstrap}: also join through the public routers (default: false). */
    public OverlayConfigBuilder routerBootstrap(Boolean on) {
        this.routerBootstrap = on;
        return this;
    }

    /** {@code key}: a publisher's own Ed25519 key file (a client peer needs none). */
    public OverlayConfigBuilder key(Path file) {
        this.key = file;
        return this;
    }

    /** {@code storage}: the node's directory (routing table, torrents), required. */
    public OverlayConfigBuilder storage(Path dir) {
        this.storage = dir;
        return this;
    }

    /** {@code seeding}: a client peer seeds every document its client holds, from any source (default: true). */
    public OverlayConfigBuilder seeding(Boolean on) {
        this.seeding = on;
        return this;
    }

    /** {@code budget}: a client's time for lookup and transfer before it pulls (default: {@link OverlayConfig#DEFAULT_BUDGET}). */
    public OverlayConfigBuilder budget(Duration d) {
        this.budget = d;
        return this;
    }

    /** {@code republish}: how often pointers and announcements are stored again, 1m to 90m (default: {@link OverlayConfig#DEFAULT_REPUBLISH}). */
    public OverlayConfigBuilder republish(Duration d) {
        this.republish = d;
        return this;
    }

    /** {@code max-bundle}: the largest bundle fetched (default: {@link OverlayConfig#DEFAULT_MAX_BUNDLE}). */
    public OverlayConfigBuilder maxBundle(ByteSize size) {
        this.maxBundle = size;
        return this;
    }

    /** {@code dht-store}: what the DHT node stores for others (default: {@link DhtStoreConfig#DEFAULT}). */
    public OverlayConfigBuilder dhtStore(DhtStoreConfig bounds) {
        this.dhtStore = bounds;
        return this;
    }

    /**
     * {@code publishers}: a client peer's publishers, each an Ed25519 public key in 64 hex digits,
     * whose pointer to the origin's directory it follows when neither the origin nor a kept
     * directory gives one (default: none, and such a peer cannot start without the origin).
     */
    public OverlayConfigBuilder publishers(List<String> keys) {
        this.publishers = keys;
        return this;
    }

    /** {@code publishers}, each in 64 hex digits. */
    public OverlayConfigBuilder publishers(String... keys) {
        return publishers(keys == null ? null : Arrays.asList(keys));
    }

    /**
     * The settings, with the defaults of those not set.
     *
     * @throws IllegalArgumentException naming the key at fault, as a file's check does
     *                                  ({@code "dht-port: missing"}, {@code "bt-port: -1 (expected: 1 to 65535, or 0 for any free port)"})
     */
    @SuppressWarnings("deprecation") // the record's own constructor, named setting by setting here
    public OverlayConfig build() {
        return new OverlayConfig(bind, dhtPort, btPort, bootstrap, routerBootstrap, key, storage, seeding, budget,
                republish, maxBundle, dhtStore, publishers);
    }
}
