package org.rproxy.overlay;

import static org.rproxy.core.config.ConfigChecks.entries;
import static org.rproxy.core.config.ConfigChecks.orDefault;
import static org.rproxy.core.config.ConfigChecks.positive;
import static org.rproxy.core.config.ConfigChecks.required;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import lbms.plugins.mldht.kad.utils.AddressUtils;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.Durations;

/**
 * The overlay settings of a publishing RProxy or of a client peer, the file given to
 * {@code rproxy proxy --overlay FILE} (read by core's {@code ConfigLoader}: kebab-case keys, and a
 * bad value refused at start with its key and the reason). See {@code conf/overlay.yaml}.
 *
 * <pre>
 * bind: 203.0.113.7        # the one address the DHT and BitTorrent sockets use, a global unicast one
 *                          # (default: the DHT's own choice)
 * dht-port: 6881           # UDP, the mainline DHT (0: any free port at each start, for a client peer)
 * bt-port: 6891            # TCP, BitTorrent (0 likewise)
 * bootstrap: [203.0.113.9:6881]
 * router-bootstrap: false  # also join through the public routers (router.bittorrent.com, ...)
 * key: /etc/rproxy/dht-key.pem   # the publisher's own Ed25519 key (PKCS#8 PEM); a publisher needs one
 * publishers: [3b6a27bc...]       # client peers: the publishers whose pointer to the origin's directory
 *                          # to follow when neither the origin nor a kept directory gives one
 * storage: /var/lib/rproxy/overlay
 * seeding: true            # client peers: seed every document their client holds, from any source
 * budget: 10s              # a client's time for lookup and transfer before it pulls
 * republish: 20m           # pointers and announcements (a seeding client's too) again (DHT nodes forget)
 * max-bundle: 64MB
 * dht-store:               # how much the DHT node stores for others ({@link DhtStoreConfig})
 *   per-network: 2000
 * </pre>
 *
 * <p>In code, an embedder (an app with a client peer, say) uses the {@link #builder()}, never the
 * positional constructor (deprecated: it is the config loader's): what it leaves unset takes its
 * default as in the file, and {@link OverlayConfigBuilder#build()} makes the same checks, naming
 * the key at fault:
 *
 * <pre>{@code
 * OverlayConfig config = OverlayConfig.builder()
 *         .dhtPort(6881).btPort(6891)
 *         .bootstrap("203.0.113.9:6881")
 *         .storage(Path.of("/var/lib/myapp/overlay"))
 *         .budget(Duration.ofSeconds(10))
 *         .build();           // IllegalArgumentException "bt-port: missing", "bind: 10.1.2.3 (expected: ...)"
 * }</pre>
 */
public record OverlayConfig(String bind, Integer dhtPort, Integer btPort, List<Address> bootstrap,
                            Boolean routerBootstrap, Path key, Path storage, Boolean seeding, Duration budget,
                            Duration republish, ByteSize maxBundle, DhtStoreConfig dhtStore, List<String> publishers) {

    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REPUBLISH = Duration.ofMinutes(20);
    public static final ByteSize DEFAULT_MAX_BUNDLE = ByteSize.ofBytes(64L << 20);

    /**
     * Every key in the file's order, null for its default: the constructor the config loader binds a
     * file with (a record's own, so public).
     *
     * @deprecated positional, thirteen arguments of which several are Booleans and Integers: a call
     *             cannot be read. In code use {@link #builder()} (or {@link #toBuilder()}), which names
     *             each setting as its key in the file.
     */
    @Deprecated(since = "0.1.0")
    public OverlayConfig {
        if (bind != null) {
            InetAddress a = address(bind);
            if (a.isAnyLocalAddress()) {
                bind = null;
            } else if (!AddressUtils.isGlobalUnicast(a)) {
                // mldht's own test: given such an address it opens no DHT socket, and says so only in a log line
                throw new IllegalArgumentException("bind: " + bind + " (expected: a global unicast address; the"
                        + " mainline DHT takes no loopback, private, link-local or multicast address)");
            }
        }
        dhtPort = port(required(dhtPort, "dht-port"), "dht-port");
        btPort = port(required(btPort, "bt-port"), "bt-port");
        bootstrap = entries(bootstrap, "bootstrap");
        routerBootstrap = orDefault(routerBootstrap, Boolean.FALSE);
        if (bootstrap.isEmpty() && !routerBootstrap) {
            throw new IllegalArgumentException("bootstrap: empty while router-bootstrap is false"
                    + " (expected: at least one host:port, or router-bootstrap: true)");
        }
        required(storage, "storage");
        // on by default: the point of the scheme is that a swarm gets its maps mostly from each other
        seeding = orDefault(seeding, Boolean.TRUE);
        budget = positive(budget, DEFAULT_BUDGET, "budget");
        republish = positive(republish, DEFAULT_REPUBLISH, "republish");
        if (republish.compareTo(Duration.ofMinutes(1)) < 0 || republish.compareTo(Duration.ofMinutes(90)) > 0) {
            throw new IllegalArgumentException("republish: " + Durations.format(republish)
                    + " (expected: 1m to 90m; DHT nodes drop items after about two hours)");
        }
        maxBundle = orDefault(maxBundle, DEFAULT_MAX_BUNDLE);
        if (maxBundle.bytes() < 1024) {
            throw new IllegalArgumentException("max-bundle: " + maxBundle + " (expected: >= 1KB)");
        }
        dhtStore = orDefault(dhtStore, DhtStoreConfig.DEFAULT);
        publishers = publishers(entries(publishers, "publishers"));
    }

    /** Settings to be built up from nothing set: every key at its default, and no port, bootstrap or storage yet. */
    public static OverlayConfigBuilder builder() {
        return new OverlayConfigBuilder();
    }

    /** A builder holding these settings, to build others from. */
    public OverlayConfigBuilder toBuilder() {
        return new OverlayConfigBuilder().bind(bind).dhtPort(dhtPort).btPort(btPort).bootstrap(bootstrap)
                .routerBootstrap(routerBootstrap).key(key).storage(storage).seeding(seeding).budget(budget)
                .republish(republish).maxBundle(maxBundle).dhtStore(dhtStore).publishers(publishers);
    }

    /**
     * Binds and closes the DHT's UDP port and the swarm's TCP port on {@link #bindAddress}, as the
     * node does when it starts (which checks the same first).
     *
     * @throws IllegalArgumentException {@code "dht-port: cannot listen on HOST:PORT (UDP): address already in use"},
     *                                  likewise {@code bt-port}
     */
    public void probePorts() {
        PortProbe.check(bindAddress(), dhtPort, btPort);
    }

    /** The bind address, or null for the DHT's own choice. */
    InetAddress bindAddress() {
        return bind == null ? null : address(bind);
    }

    /** With another key file (a client peer needs none). */
    public OverlayConfig withKey(Path file) {
        return new OverlayConfig(bind, dhtPort, btPort, bootstrap, routerBootstrap, file, storage, seeding, budget,
                republish, maxBundle, dhtStore, publishers);
    }

    /** With another budget. */
    public OverlayConfig withBudget(Duration d) {
        return new OverlayConfig(bind, dhtPort, btPort, bootstrap, routerBootstrap, key, storage, seeding, d,
                republish, maxBundle, dhtStore, publishers);
    }

    private static InetAddress address(String literal) {
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("bind: " + literal + " (expected: an IP address literal)");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind: " + literal + " (expected: an IP address literal)", e);
        }
    }

    /** Each key in lower case, checked: what the origin's directory lists for a publisher, 64 hex digits. */
    private static List<String> publishers(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i).trim().toLowerCase(Locale.ROOT);
            if (!k.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("publishers[" + i + "]: '" + keys.get(i) + "' (expected: 64 hex"
                        + " digits, a publisher's Ed25519 public key as `rproxy keygen` prints it)");
            }
            out.add(k);
        }
        return List.copyOf(out);
    }

    private static int port(int p, String key) {
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(key + ": " + p + " (expected: 1 to 65535, or 0 for any free port)");
        }
        return p;
    }

}
