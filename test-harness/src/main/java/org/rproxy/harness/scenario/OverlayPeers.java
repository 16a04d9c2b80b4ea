package org.rproxy.harness.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.rproxy.client.ClientOptions;
import org.rproxy.client.KeyPin;
import org.rproxy.core.config.Address;
import org.rproxy.overlay.OverlayConfig;

/**
 * A child process of the {@code overlay} scenario holding a share of its peers ({@link OverlayPeer}),
 * started inside the scenario's network namespace: 200 DHT nodes and BitTorrent runtimes are too
 * many threads for one JVM on two cores. Peers join one every {@link #STAGGER} (mldht throttles
 * each sender, and a crowd pinging the same nodes at once is dropped), each bootstrapping from
 * the publishers and the {@link #BOOTSTRAP_PEERS} peers before it in the scenario's list.
 *
 * <p>Commands, one per line on standard input: {@code fetch WINDOW_MS} (phase 1, the peers'
 * fetches spread over the window by their place in the whole list, each peer's two at once), {@code change WRITTEN_MS SHA
 * POLL_MS LIMIT_MS} (phase 2: each peer fetches the cost map every POLL_MS until it holds the
 * version SHA, for at most LIMIT_MS), {@code holds} (each says what it holds), and {@code stop} (or the end of input: the
 * scenario stopped or died): the peers are closed and it exits. Every peer's step is one line on
 * standard output. Pool threads run the peers; the main thread reads commands.
 *
 * <p>Usage: {@code OverlayPeers ORIGIN_URL KEY_ID STORAGE BUDGET_MS SEEDING PUBLISHERS ALL_PEERS FROM TO}
 * (PUBLISHERS: comma-separated HOST:PORT DHT nodes; ALL_PEERS: comma-separated addresses; this
 * process runs those at indexes FROM to TO-1).
 */
public final class OverlayPeers {
    static final int DHT_PORT = 6881;
    static final int BT_PORT = 6891;
    static final int BOOTSTRAP_PEERS = 5;
    static final Duration STAGGER = Duration.ofMillis(150);

    private final List<OverlayPeer> peers = new ArrayList<>();
    private final int from;
    private final int total;
    private final ScheduledExecutorService pool;
    /** Phase 1's cost-map fetches, each beside its peer's network-map fetch on {@link #pool}: one thread a peer at most. */
    private final ExecutorService beside;

    private OverlayPeers(List<OverlayPeer> peers, int from, int total) {
        this.peers.addAll(peers);
        this.from = from;
        this.total = total;
        this.pool = Executors.newScheduledThreadPool(peers.size(), r -> {
            Thread t = new Thread(r, "overlay-peer");
            t.setDaemon(true);
            return t;
        });
        this.beside = Executors.newFixedThreadPool(peers.size(), r -> {
            Thread t = new Thread(r, "overlay-peer-fetch");
            t.setDaemon(true);
            return t;
        });
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 9) {
            System.err.println("usage: OverlayPeers ORIGIN_URL KEY_ID STORAGE BUDGET_MS SEEDING PUBLISHERS ALL_PEERS FROM TO");
            System.exit(2);
        }
        ClientOptions options = ClientOptions.of(URI.create(args[0]), KeyPin.ofKeyId(args[1]))
                .withTimeout(Duration.ofSeconds(10));
        Path storage = Path.of(args[2]);
        Duration budget = Duration.ofMillis(Long.parseLong(args[3]));
        boolean seeding = Boolean.parseBoolean(args[4]);
        List<Address> publishers = new ArrayList<>();
        for (String p : args[5].split(",")) {
            publishers.add(Address.parse(p));
        }
        List<String> all = List.of(args[6].split(","));
        int from = Integer.parseInt(args[7]);
        int to = Integer.parseInt(args[8]);
        List<OverlayPeer> peers = new ArrayList<>();
        for (int i = from; i < to; i++) {
            OverlayConfig config = OverlayConfig.builder().bind(all.get(i)).dhtPort(DHT_PORT).btPort(BT_PORT)
                    .bootstrap(bootstrap(publishers, all, i)).storage(storage.resolve(all.get(i))).seeding(seeding)
                    .budget(budget).build();
            peers.add(new OverlayPeer(all.get(i), config, options, OverlayPeers::say));
        }
        new OverlayPeers(peers, from, all.size()).run();
        System.exit(0);
    }

    /** The publishers' nodes and the {@link #BOOTSTRAP_PEERS} peers before peer {@code i} (wrapping around). */
    static List<Address> bootstrap(List<Address> publishers, List<String> all, int i) {
        List<Address> out = new ArrayList<>(publishers);
        for (int k = 1; k <= Math.min(BOOTSTRAP_PEERS, all.size() - 1); k++) {
            out.add(new Address(all.get(Math.floorMod(i - k, all.size())), DHT_PORT));
        }
        return out;
    }

    private void run() throws IOException {
        for (int k = 0; k < peers.size(); k++) {
            pool.schedule(peers.get(k)::join, STAGGER.toMillis() * k, TimeUnit.MILLISECONDS);
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
                command(line.trim().split(" "));
            }
        } finally {
            close();
        }
        say("done");
    }

    private void command(String[] c) {
        switch (c[0]) {
            case "fetch" -> {
                long window = Long.parseLong(c[1]);
                for (int k = 0; k < peers.size(); k++) {
                    OverlayPeer p = peers.get(k);
                    pool.schedule(() -> p.fetchBoth(beside), window * (from + k) / total, TimeUnit.MILLISECONDS);
                }
            }
            case "change" -> {
                long written = Long.parseLong(c[1]);
                long poll = Long.parseLong(c[3]);
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(c[4]));
                for (OverlayPeer p : peers) {
                    pool.execute(new Follow(p, c[2], written, poll, deadline));
                }
            }
            case "holds" -> peers.forEach(p -> pool.execute(p::sayHoldings));
            default -> say("unknown command " + String.join(" ", c));
        }
    }

    /** One peer's polling after the change: a fetch, then the next one POLL_MS later, until it holds it or time is up. */
    private final class Follow implements Runnable {
        private final OverlayPeer peer;
        private final String want;
        private final long written;
        private final long poll;
        private final long deadline;
        private int polls;

        Follow(OverlayPeer peer, String want, long written, long poll, long deadline) {
            this.peer = peer;
            this.want = want;
            this.written = written;
            this.poll = poll;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            polls++;
            if (peer.poll(want, written, polls)) {
                return;
            }
            if (deadline - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(poll)) {
                pool.schedule(this, poll, TimeUnit.MILLISECONDS);
            } else {
                say("missed ip=" + peer.ip() + " polls=" + polls);
            }
        }
    }

    /** Stops the pool, then closes every peer (each its DHT node and BitTorrent runtime), several at once. */
    private void close() {
        pool.shutdownNow();
        beside.shutdownNow();
        List<Thread> closers = new ArrayList<>();
        for (OverlayPeer p : peers) {
            Thread t = new Thread(p::close, "overlay-peer-close");
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (Thread t : closers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
