package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.rproxy.client.ClientException;
import org.rproxy.client.OverlaySource;
import org.rproxy.core.answer.ResourcePaths;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.Address;
import org.rproxy.core.config.Durations;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.sign.AltoResource;

/**
 * A client peer of the overlay, the {@link OverlaySource} an {@code AltoClient} asks first: it
 * looks up the pointers of every publisher the origin's directory names (in parallel), and
 * offers their torrents newest first, each fetched from the swarm only when the client asks for
 * it; everything within the configured budget, after which the client pulls. A peer that has
 * not joined the DHT waits for it at most {@link #JOIN_WAIT} of the budget; then, or when no
 * listed publisher has a pointer for the resource, the one offer is a failure at
 * {@code overlay:<resource id>} saying so, which the client lists among what it refused. A
 * pointer claiming no newer a version than the client holds is not fetched: it could only be
 * taken as the same version, and a transfer of it would spend the budget a newer one may need. The last bundle
 * taken for each resource is kept, and offered again without a transfer when a pointer names it
 * (a client that polls is told at once that it holds the current version). With
 * {@code seeding: true} (the default) a bundle the client accepted is announced and seeded on,
 * announced again as a publisher's are ({@link Renewals}), until it takes a newer one or the
 * version's signature expires (by this peer's clock, {@link HeldCopies}); so is
 * every document the client takes from any other source ({@link HeldCopies}). One it
 * refused is dropped unless it is the bundle kept for another resource (a pointer for one
 * resource may name another's genuine bundle), and fetched again for the same resource only
 * when the refusal depended on more than its bytes ({@link Refusals}). A peer that never reached
 * the origin has no directory to name the publishers: with its own {@code publishers} setting it
 * looks up their pointers to the directory itself ({@link #directoryOffers}), which the client
 * checks against its pinned key as the origin's answer.
 *
 * <p>{@link #offers} blocks the calling thread for at most the budget; mldht and bt run their
 * own threads. Thread-safe.
 */
public final class OverlayClient implements OverlaySource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OverlayClient.class);
    /** How long a fetch waits for this peer to join the DHT before it says it has not. */
    static final Duration JOIN_WAIT = Duration.ofSeconds(5);

    private final OverlayNode node;
    /** The bundles refused for their bytes, by resource id and infohash. */
    private final Refusals refusals = new Refusals();
    private final RefusalWarnings warnings = new RefusalWarnings();

    /** The last bundle taken for each resource id, by its infohash (hex). */
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    /** A bundle the client took: offered again without a transfer while a pointer names it. */
    record Kept(String infoHash, SignedBundle bundle) {
    }

    private final HeldCopies heldCopies;

    private OverlayClient(OverlayNode node, Clock clock) {
        this.node = node;
        this.heldCopies = new HeldCopies(node, kept, this::dropUnlessKept, clock);
    }

    /**
     * Joins the overlay as {@code config} says (its {@code key} is not used). Blocks until the DHT
     * node's socket is open (at most 5 s), not until it has joined: see {@link #joined()}.
     *
     * @throws IllegalArgumentException when the DHT's or the swarm's port cannot be listened on
     *                                  ({@code "dht-port: cannot listen on HOST:PORT (UDP): address already in use"},
     *                                  likewise {@code bt-port})
     * @throws java.io.UncheckedIOException when the {@code storage} directories cannot be made, or the
     *                                  DHT node's socket could not be opened
     */
    public static OverlayClient start(OverlayConfig config) {
        return start(config, RenewalTimes.DEFAULT);
    }

    /** As {@link #start(OverlayConfig)}, its announcements kept by {@code times}: for tests. */
    static OverlayClient start(OverlayConfig config, RenewalTimes times) {
        return start(config, times, Clock.systemUTC());
    }

    /** As {@link #start(OverlayConfig, RenewalTimes)}, telling the expiry of what it keeps by {@code clock}: for tests. */
    static OverlayClient start(OverlayConfig config, RenewalTimes times, Clock clock) {
        return new OverlayClient(OverlayNode.start(requireNonNull(config, "config"), times), requireNonNull(clock, "clock"));
    }

    /**
     * Completes when this peer's DHT node has joined (a few nodes answered it, or one did and 3 s
     * passed); a fetch before then waits for it at most {@link #JOIN_WAIT}. A copy: cancelling it
     * cancels nothing else.
     */
    public CompletableFuture<Void> joined() {
        return node.dht().joined();
    }

    /**
     * The settings this peer runs with: those it was started with, the ports it took in place of
     * any given as 0 (for an app that shows them, or asks its router to forward them).
     */
    public OverlayConfig config() {
        return node.config();
    }

    @Override
    public Iterator<Offer> offers(Directory directory, String target, String resourceId, Instant held) {
        requireNonNull(directory, "directory");
        requireNonNull(resourceId, "resourceId");
        OverlayInfo info = directory.overlay();
        if (info == null || !OverlayInfo.BITTORRENT_DHT.equals(info.protocol())
                || !OverlayInfo.SALT_RESOURCE_ID.equals(info.naming()) || info.publishers().isEmpty()
                || Pointer.salt(resourceId).length > Pointer.MAX_SALT) {
            return Collections.emptyIterator();
        }
        return offers(info.publishers(), bootstrap(info), resourceId, held);
    }

    /**
     * The directory as the publishers of this peer's own {@code publishers} setting point at it,
     * joined through its {@code bootstrap}: what a peer that never reached the origin starts from.
     * Nothing when the setting names no publisher.
     */
    @Override
    public Iterator<Offer> directoryOffers() {
        List<String> publishers = node.config().publishers();
        if (publishers.isEmpty()) {
            return Collections.emptyIterator();
        }
        return offers(publishers, List.of(), ResourcePaths.DIRECTORY_ID, null);
    }

    /** The offers of {@code publishers}' pointers for {@code resourceId}, within the budget, joined through {@code boot} as well. */
    private Iterator<Offer> offers(List<String> publishers, List<InetSocketAddress> boot, String resourceId,
                                   Instant held) {
        long deadline = System.nanoTime() + node.config().budget().toNanos();
        if (!boot.isEmpty()) {
            node.dht().addBootstrap(boot);
        }
        CompletableFuture<Void> joined = node.dht().joined();
        if (!Walk.await(joined, Math.min(deadline, System.nanoTime() + JOIN_WAIT.toNanos()))) {
            joined.cancel(false);
            return nothing(resourceId, "not joined to the DHT within " + Durations.format(JOIN_WAIT) + " ("
                    + node.dht().knownNodes() + " DHT nodes known)");
        }
        PointerLookup.Found found = PointerLookup.find(node.dht(), publishers, resourceId, deadline);
        if (found.pointers().isEmpty()) {
            return nothing(resourceId, found.none());
        }
        Kept mine = kept.get(resourceId);
        List<Pointer> worth = worthOffering(found.pointers(), held, mine == null ? null : mine.infoHash());
        return new Walk(node, refusals, kept, this::dropUnlessKept, warnings, worth, deadline);
    }

    /**
     * The pointers worth offering to a client that holds version {@code held} (null: none), newest
     * first: those claiming a newer version, and the one naming {@code kept} (hex infohash of the
     * bundle it took last, or null) when it claims the version held. The others could only be
     * taken as the same version or refused as older, after a transfer that spends the budget.
     */
    static List<Pointer> worthOffering(List<Pointer> pointers, Instant held, String kept) {
        long heldSeq = held == null ? -1 : held.getEpochSecond();
        List<Pointer> out = new ArrayList<>();
        for (Pointer p : pointers) {
            if (p.seq() > heldSeq || p.seq() == heldSeq && hex(p.infoHash()).equals(kept)) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparingLong(Pointer::seq).reversed());
        return out;
    }

    /** A walk of one failure at {@code overlay:<resourceId>}: the overlay has nothing for it, and why. */
    private static Iterator<Offer> nothing(String resourceId, String why) {
        URI at;
        try {
            at = new URI("overlay", resourceId, null);
        } catch (URISyntaxException e) {
            at = URI.create("overlay:resource");
        }
        return List.of(new Offer(at, null, why)).iterator();
    }

    @Override
    public void accepted(Offer offer) {
        byte[] infoHash = infoHash(offer.from());
        String hex = hex(infoHash);
        String header = offer.bundle().field(AltoResource.HEADER);
        Kept before = header == null ? null : kept.put(AltoResource.parse(header).id(), new Kept(hex, offer.bundle()));
        if (before != null && before.infoHash().equals(hex)) {
            // taken again (offered from what is kept): seeded or dropped when first taken
            return;
        }
        if (node.config().seeding()) {
            if (before != null) {
                dropUnlessKept(before.infoHash());
            }
            node.announce(infoHash).thenAccept(s -> log.debug("overlay: seeding {}: announced to {}", offer.from(), s));
        } else {
            node.swarm().drop(hex);
        }
    }

    /** Seeds {@code bundle}, a document the client took from any source, as {@link HeldCopies} says. */
    @Override
    public void held(SignedBundle bundle) {
        heldCopies.held(bundle);
    }

    @Override
    public void refused(Offer offer, String resourceId, ClientException why) {
        String hex = hex(infoHash(offer.from()));
        warnings.refused(Pointer.publisherOf(offer.from().toString()), offer.from().toString(), why.reason());
        if (offer.bundle() != null && Refusals.forBytesAlone(why)) {
            refusals.remember(resourceId, hex, why.getMessage());
        }
        // the bundle kept for this resource no longer does (expired, say); another's is left alone
        kept.computeIfPresent(resourceId, (id, k) -> k.infoHash().equals(hex) ? null : k);
        dropUnlessKept(hex);
    }

    /** Without the resource asked for: drops the torrent unless it is a bundle kept, remembers nothing. */
    @Override
    public void refused(Offer offer, ClientException why) {
        dropUnlessKept(hex(infoHash(offer.from())));
    }

    /** Drops the torrent {@code hex} unless it is the bundle kept (and seeded) for some resource. */
    private void dropUnlessKept(String hex) {
        if (!node.config().seeding() || kept.values().stream().noneMatch(k -> k.infoHash().equals(hex))) {
            node.swarm().drop(hex);
        }
    }

    private static String hex(byte[] infoHash) {
        return HexFormat.of().formatHex(infoHash);
    }

    private static byte[] infoHash(URI source) {
        return Pointer.infoHashOf(source.toString());
    }

    private static List<InetSocketAddress> bootstrap(OverlayInfo info) {
        List<Address> out = new ArrayList<>();
        for (String b : info.bootstrap()) {
            out.add(Address.parse(b));
        }
        return OverlayNode.addresses(out);
    }

    /**
     * Leaves the overlay: stops seeding (waiting at most 2 s for a document being seeded at that
     * moment), ends the fetches running or waiting ("the swarm closed"), and stops bt and the DHT
     * node; when it returns their threads are ending and the two ports are free. Close the
     * {@code AltoClient} given this overlay first (a try-with-resources that opens this first does).
     */
    @Override
    public void close() {
        heldCopies.close();
        node.close();
    }
}
