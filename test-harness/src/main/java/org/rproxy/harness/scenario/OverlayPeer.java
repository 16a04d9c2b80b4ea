package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.rproxy.client.AltoClient;
import org.rproxy.client.ClientException;
import org.rproxy.client.ClientOptions;
import org.rproxy.client.VerifiedDocument;
import org.rproxy.core.model.Bytes;
import org.rproxy.overlay.OverlayClient;
import org.rproxy.overlay.OverlayConfig;

/**
 * One peer of the {@code overlay} scenario, as an app vendor's P2P client would be: a real DHT
 * node and BitTorrent client ({@link OverlayClient}) and an {@link AltoClient} that asks the
 * overlay first and falls back to the origin's RProxies, then the origin. It reports each step
 * as one line ({@code key=value} fields, the free-text one last) to {@code say}. Its methods run
 * on the peer process's pool threads, one at a time per peer, the cost map's fetch of phase 1
 * beside the network map's on another.
 */
final class OverlayPeer implements AutoCloseable {
    static final String NETWORK_MAP = "/networkmap/default-network-map";
    static final String COST_MAP = "/costmap/routingcost-map";
    /** Tries of the bootstrap from the origin, as an app retries an outage (a timeout, no connection). */
    static final int BOOTSTRAP_TRIES = 3;
    static final Duration BOOTSTRAP_PAUSE = Duration.ofSeconds(2);

    private final String ip;
    private final OverlayConfig config;
    private final ClientOptions options;
    private final Consumer<String> say;
    private volatile OverlayClient overlay;
    private volatile AltoClient client;
    private volatile VerifiedDocument net;
    private volatile VerifiedDocument cost;

    OverlayPeer(String ip, OverlayConfig config, ClientOptions options, Consumer<String> say) {
        this.ip = requireNonNull(ip, "ip");
        this.config = requireNonNull(config, "config");
        this.options = requireNonNull(options, "options");
        this.say = requireNonNull(say, "say");
    }

    String ip() {
        return ip;
    }

    /**
     * Joins the DHT and bootstraps from the origin (its directory, verified with the pinned key),
     * trying the bootstrap again after an outage as an app would ({@link #retrying}).
     */
    void join() {
        long t0 = System.nanoTime();
        try {
            overlay = OverlayClient.start(config);
            overlay.joined().get(60, TimeUnit.SECONDS);
            int[] tries = {1};
            client = retrying(() -> AltoClient.bootstrap(options, overlay), BOOTSTRAP_TRIES, BOOTSTRAP_PAUSE, () -> tries[0]++);
            say.accept("ready ip=" + ip + " ms=" + millisSince(t0) + " tries=" + tries[0]);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            say.accept("failed ip=" + ip + " why=" + oneLine(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            say.accept("failed ip=" + ip + " why=interrupted");
        }
    }

    /**
     * What {@code attempt} returns, tried up to {@code tries} times in all, {@code pause} apart,
     * while it fails with an outage ({@link ClientException.TimedOut}, {@link ClientException.Unreachable}):
     * on a starved machine the origin's directory may miss the client's timeout once. Any other
     * failure, or the last one, is thrown; {@code retried} is told before each new try.
     */
    static <T> T retrying(Supplier<T> attempt, int tries, Duration pause, Runnable retried) throws InterruptedException {
        for (int i = 1; ; i++) {
            try {
                return attempt.get();
            } catch (ClientException.TimedOut | ClientException.Unreachable e) {
                if (i >= tries) {
                    throw e;
                }
            }
            // a pause before the next try, not a wait for an event
            TimeUnit.MILLISECONDS.sleep(pause.toMillis());
            retried.run();
        }
    }

    /**
     * Phase 1: fetches the network map and the cost map at once, the cost map on a thread of
     * {@code beside} (the client is shared by threads; its overlay looks both up at once, and its
     * swarm runs their transfers in turn, {@code FetchTurns}).
     */
    void fetchBoth(Executor beside) {
        long t0 = System.nanoTime();
        if (client != null) {
            CompletableFuture<VerifiedDocument> c = CompletableFuture.supplyAsync(() -> fetch(COST_MAP, 1), beside);
            net = fetch(NETWORK_MAP, 1);
            cost = c.join();
        }
        say.accept("end phase=1 ip=" + ip + " ms=" + (net != null && cost != null ? millisSince(t0) : -1));
    }

    /**
     * Phase 2: fetches the cost map once; true (and says {@code changed}) when it is the version
     * with digest {@code want}.
     *
     * @param writtenMillis when the change was written at the origin (epoch milliseconds)
     */
    boolean poll(String want, long writtenMillis, int polls) {
        VerifiedDocument d = client == null ? null : fetch(COST_MAP, 2);
        if (d == null) {
            return false;
        }
        cost = d;
        if (!sha(d.body()).equals(want)) {
            return false;
        }
        say.accept("changed ip=" + ip + " ms=" + Math.max(0, System.currentTimeMillis() - writtenMillis) + " polls=" + polls
                + " source=" + d.source());
        return true;
    }

    /** Says which versions it holds now. */
    void sayHoldings() {
        say.accept("holds ip=" + ip + " net=" + (net == null ? "-" : sha(net.body())) + " cost="
                + (cost == null ? "-" : sha(cost.body())));
    }

    private VerifiedDocument fetch(String target, int phase) {
        long t0 = System.nanoTime();
        try {
            VerifiedDocument d = client.fetch(target);
            int tampered = 0;
            int rollback = 0;
            int missed = 0;
            for (ClientException e : d.refused()) {
                if (e instanceof ClientException.InvalidResponse) {
                    tampered++;
                } else if (e instanceof ClientException.Rollback) {
                    rollback++;
                } else {
                    missed++;
                }
            }
            say.accept("fetched ip=" + ip + " phase=" + phase + " target=" + target + " ms=" + millisSince(t0) + " sha="
                    + sha(d.body()) + " tampered=" + tampered + " rollback=" + rollback + " missed=" + missed
                    + " source=" + d.source() + (d.refused().isEmpty() ? "" : " why=" + String.join(" | ",
                    d.refused().stream().map(OverlayPeer::oneLine).toList())));
            return d;
        } catch (ClientException e) {
            say.accept("error ip=" + ip + " phase=" + phase + " target=" + target + " why=" + oneLine(e));
            return null;
        }
    }

    /** The first 16 hex digits of the SHA-256 of {@code body}: enough to tell versions apart. */
    static String sha(Bytes body) {
        return sha(ByteBuffer.wrap(body.unsafeArray()));
    }

    /** The first 16 hex digits of the SHA-256 of {@code body} (its remaining bytes; its position is left). */
    static String sha(ByteBuffer body) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(body.duplicate());
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static String oneLine(Throwable e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return String.valueOf(t).replaceAll("\\s+", " ");
    }

    @Override
    public void close() {
        AltoClient c = client;
        if (c != null) {
            c.close();
        }
        OverlayClient o = overlay;
        if (o != null) {
            o.close();
        }
    }
}
