package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.model.Directory;

/**
 * Where a client looks for a signed document before it asks any server: a P2P overlay in which
 * RProxies publish each version as a {@link SignedBundle} (the {@code rproxy-overlay} module
 * implements one on BitTorrent and the mainline DHT). The overlay only finds and carries bytes;
 * the client verifies every bundle it is offered exactly like a response (the origin's
 * signature, digest, resource, expiry, no rollback) and falls back to the RProxies and the
 * origin when the overlay offers nothing that verifies within its time budget.
 *
 * <p>Given to {@link AltoClient#bootstrap(ClientOptions, OverlaySource)}; called on the threads
 * that fetch (the caller's, or an update follower's), possibly several at once.
 */
public interface OverlaySource {

    /**
     * {@return the bundles the overlay has for {@code target}, most promising (newest) first, each fetched
     * only when asked for by {@link Iterator#next()}; the whole walk stays within the overlay's
     * own time budget, after which the iterator ends}
     *
     * @param directory  the origin's verified directory (its {@code alto-redist.overlay} says how
     *                   to find the overlay; without it there is nothing to offer)
     * @param target     the request target ({@code /networkmap/my-default-network-map})
     * @param resourceId the directory's id of that resource, the name in the overlay
     * @param held       the {@code created} of the version the client holds, or null: an overlay
     *                   need not transfer a version claimed no newer (the client would take it
     *                   only as the same version, and pulls when nothing newer verifies; when no
     *                   server answers either, it asks again with null, for the version held too)
     */
    Iterator<Offer> offers(Directory directory, String target, String resourceId, Instant held);

    /**
     * {@return the origin's signed directory as the overlay has it, newest first, each fetched only
     * when asked for by {@link Iterator#next()}, found with the overlay's own settings alone (no
     * directory says where to look yet); empty when those settings cannot find it}
     *
     * <p>Asked at bootstrap, when the origin gives no directory and the client kept none that
     * verifies: a brand-new peer in a flash crowd, whose origin is the one thing overloaded, then
     * starts from the directory the publishers put into the overlay; and when the directory is read
     * again ({@code refreshKeys}, {@code refreshMaps}, a follower's poll) and no server gave one, so
     * that a peer whose origin stays away still learns the origin's next key. The client checks each
     * offer exactly as a server's answer (at bootstrap the pinned key; after it, the keys trusted,
     * the signature, expiry, no rollback) and tells
     * {@link #accepted} or {@link #refused(Offer, String, ClientException)} as for any offer. By
     * default empty: an overlay that knows no publisher without the directory has nothing to offer.
     */
    default Iterator<Offer> directoryOffers() {
        return Collections.emptyIterator();
    }

    /**
     * The client verified and took {@code offer}'s bundle (an overlay may seed it on).
     *
     * @param offer one of those {@link #offers} gave
     */
    default void accepted(Offer offer) {
    }

    /**
     * The client verified and took {@code bundle}, a document from any source (a proxy, the origin,
     * an update stream or the overlay): exactly the bytes and signed fields the origin signed, so
     * that an overlay may hand it on to its readers, who verify it as any copy. Called on the
     * thread that verified it, possibly several at once: an overlay must return at once.
     *
     * @param bundle the document as the client holds it: its signed fields and body
     */
    default void held(SignedBundle bundle) {
    }

    /**
     * The client refused {@code offer} (an overlay should drop it).
     *
     * @param offer one of those {@link #offers} gave
     * @param why   the refusal, naming the offer's source
     */
    default void refused(Offer offer, ClientException why) {
    }

    /**
     * The client refused {@code offer}, one of those offered for {@code resourceId}: what the
     * client calls. A refusal may hold for that resource alone (the bundle is another resource's,
     * or older than the one held), so an overlay that remembers refusals needs it; by default
     * {@link #refused(Offer, ClientException)}.
     *
     * @param offer      one of those {@link #offers} gave
     * @param resourceId the resource it was offered for
     * @param why        the refusal, naming the offer's source
     */
    default void refused(Offer offer, String resourceId, ClientException why) {
        refused(offer, why);
    }

    /**
     * One thing the overlay found: a bundle, or why the one it pointed to could not be had.
     *
     * @param from    where it came from, for errors and {@link VerifiedDocument#source()}
     *                (for BitTorrent, the torrent's magnet link)
     * @param bundle  the bundle, or null
     * @param failure why there is no bundle, or null
     */
    record Offer(URI from, SignedBundle bundle, String failure) {
        /**
         * Checks that there is a source and exactly one of a bundle and a failure.
         *
         * @param from    where it came from, for errors and {@link VerifiedDocument#source()}
         *                (for BitTorrent, the torrent's magnet link)
         * @param bundle  the bundle, or null
         * @param failure why there is no bundle, or null
         * @throws IllegalArgumentException for both a bundle and a failure, or neither
         */
        public Offer {
            requireNonNull(from, "from");
            if ((bundle == null) == (failure == null)) {
                throw new IllegalArgumentException("bundle, failure: exactly one expected");
            }
        }
    }
}
