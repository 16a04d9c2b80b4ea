package org.rproxy.overlay;

import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.rproxy.client.OverlaySource.Offer;
import org.rproxy.core.bundle.MalformedBundleException;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.Durations;
import org.rproxy.core.sign.SignatureWindow;

/**
 * An {@link OverlayClient}'s offers for one fetch: the pointers' bundles, fetched one at a time
 * as the client asks, while the budget lasts. A pointer's {@code seq} is by definition its
 * bundle's {@code created} in seconds, so a bundle signed at another time than its pointer
 * claims is not offered: a listed publisher could otherwise point at an older genuine version
 * under a newer seq and have a client without state take it (a rollback). Such a pointer is
 * refused, naming its publisher, and remembered, and the walk goes on to the next. Used by one
 * thread at a time.
 */
final class Walk implements Iterator<Offer> {
    private static final Logger log = LoggerFactory.getLogger(Walk.class);

    private final OverlayNode node;
    private final Refusals refusals;
    private final Map<String, OverlayClient.Kept> kept;
    private final Consumer<String> dropUnlessKept;
    private final RefusalWarnings warnings;
    private final Iterator<Pointer> pointers;
    private final long deadline;

    /**
     * @param kept           the bundle the client took last per resource id (read only)
     * @param dropUnlessKept drops a torrent (hex infohash) unless it is a bundle kept
     * @param deadline       the end of the budget (System.nanoTime)
     */
    Walk(OverlayNode node, Refusals refusals, Map<String, OverlayClient.Kept> kept, Consumer<String> dropUnlessKept,
         RefusalWarnings warnings, List<Pointer> pointers, long deadline) {
        this.warnings = warnings;
        this.node = node;
        this.refusals = refusals;
        this.kept = kept;
        this.dropUnlessKept = dropUnlessKept;
        this.pointers = pointers.iterator();
        this.deadline = deadline;
    }

    @Override
    public boolean hasNext() {
        return pointers.hasNext() && deadline - System.nanoTime() > 0;
    }

    @Override
    public Offer next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Pointer p = pointers.next();
        URI from = URI.create(p.source());
        String hex = HexFormat.of().formatHex(p.infoHash());
        String before = refusals.why(p.resourceId(), hex);
        if (before == null) {
            before = refusals.why(p);
        }
        if (before != null) {
            // an infohash names exact bytes: a bundle refused once is refused again
            return new Offer(from, null, "refused before: " + before + " (" + p + ")");
        }
        OverlayClient.Kept mine = kept.get(p.resourceId());
        if (mine != null && mine.infoHash().equals(hex)) {
            return ofVersion(p, from, mine.bundle());
        }
        long max = Math.min(p.size(), node.config().maxBundle().bytes());
        long start = System.nanoTime();
        CompletableFuture<byte[]> bytes = node.swarm().fetch(p.infoHash(), max);
        boolean got = await(bytes, deadline);
        log.debug("overlay: {} {} after {} ms", p, got ? "fetched" : "not fetched", (System.nanoTime() - start) / 1_000_000);
        if (!got) {
            String why = bytes.isDone() ? bytes.handle((b, e) -> failure(e, start)).join() : noBundle(p);
            bytes.cancel(false);
            dropUnlessKept.accept(hex);
            return new Offer(from, null, why + " (" + p + ")");
        }
        SignedBundle bundle;
        try {
            bundle = SignedBundle.parse(bytes.getNow(null));
        } catch (MalformedBundleException e) {
            refusals.remember(p.resourceId(), hex, "not a bundle: " + e.getMessage());
            dropUnlessKept.accept(hex);
            return new Offer(from, null, "not a bundle: " + e.getMessage() + " (" + p + ")");
        }
        Offer o = ofVersion(p, from, bundle);
        if (o.bundle() == null) {
            dropUnlessKept.accept(hex);
        }
        return o;
    }

    /** Why a fetch started at {@code start} (System.nanoTime) failed with {@code e} before the budget ran out. */
    private String failure(Throwable e, long start) {
        // a fetch of a torrent being fetched already is a copy of that one: its failure comes wrapped
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof NobodySeeds) {
            // the client goes on to pull now, not when the budget is spent: say how much was left
            return "no bundle: " + cause.getMessage() + ", given up " + Durations.format(Duration.ofMillis(
                    (System.nanoTime() - start) / 1_000_000)) + " into the budget of " + Durations.format(node.config().budget());
        }
        return String.valueOf(e);
    }

    /** Why the bundle {@code p} names did not come within the budget. */
    private String noBundle(Pointer p) {
        int peers = node.swarm().connectedPeers(p.infoHash());
        return "no bundle within the budget of " + Durations.format(node.config().budget()) + " ("
                + (peers == 0 ? "no peer connected" : peers + (peers == 1 ? " peer" : " peers") + " connected") + ")";
    }

    /**
     * The offer of {@code bundle}, or a refusal (remembered for {@code p}) unless the signature a
     * client verifies in it was created at the second {@code p} names: what it takes is then of the
     * version the pointer claims.
     */
    private Offer ofVersion(Pointer p, URI from, SignedBundle bundle) {
        String created = created(bundle);
        if (created.equals(Long.toString(p.seq()))) {
            return new Offer(from, bundle, null);
        }
        String why = "the bundle was signed at created " + (created.isEmpty() ? "(none)" : created)
                + ", not at the pointer's seq " + p.seq() + " (a publisher's pointer names a version by its created)";
        refusals.remember(p, why);
        warnings.refused(HexFormat.of().formatHex(p.publisher()), from.toString(), why);
        return new Offer(from, null, why + " (" + p + ")");
    }

    /**
     * The {@code created} (seconds) of the signature a client verifies in {@code bundle}, read from
     * its {@code Signature-Input} as the verifier reads it ({@link SignatureWindow}: the
     * {@code alto} signature, a Structured Field dictionary); "" when there is none or it cannot
     * be read so (which the verifier refuses too). Other signatures in the field are not what a
     * client takes, so they name no version.
     */
    static String created(SignedBundle bundle) {
        SignatureWindow w = SignatureWindow.read(bundle::field);
        return w == null ? "" : Long.toString(w.created().getEpochSecond());
    }

    /** Waits for {@code f} until {@code deadline} (System.nanoTime); true when it completed normally. */
    static boolean await(CompletableFuture<?> f, long deadline) {
        try {
            f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
