package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who hears of the pull feed's {@link CachedCopies}: the listeners told of each signed copy held
 * for a GET target (the update stream, the answers computed here), and those told of each GET
 * target the upstream answered it has no more. A listener that throws is logged and the others
 * are still told. Thread-safe; listeners are told on the thread that holds or drops the copy.
 */
final class CopyListeners {
    /** CachedCopies' logger, as before the listeners had a class of their own. */
    private static final Logger LOG = LoggerFactory.getLogger(CachedCopies.class);

    private final List<BiConsumer<String, Representation>> held = new CopyOnWriteArrayList<>();
    private final List<Consumer<VerifiedRepresentation>> verified = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> gone = new CopyOnWriteArrayList<>();

    /** True when {@code h}, held by {@code e}, is what listeners hear of: a signed copy for a GET. */
    static boolean toldOf(Entry e, CachedCopy h) {
        return e.key.isGet() && h != null && h.signed();
    }

    /**
     * Adds {@code listener}, told at once of each copy held now among {@code entries}, each under
     * its entry's lock (as {@link CachedCopies#hold} tells), so that it misses none held meanwhile.
     */
    void addHeld(BiConsumer<String, Representation> listener, Collection<Entry> entries) {
        held.add(requireNonNull(listener, "listener"));
        for (Entry e : entries) {
            synchronized (e) {
                CachedCopy h = e.held();
                if (toldOf(e, h)) {
                    tell(listener, e, h);
                }
            }
        }
    }

    /**
     * Adds {@code listener}, told of each copy as {@link #addHeld} tells, as it was verified (its
     * identity variant's {@link VerifiedRepresentation}).
     */
    void addVerified(Consumer<VerifiedRepresentation> listener, Collection<Entry> entries) {
        verified.add(requireNonNull(listener, "listener"));
        for (Entry e : entries) {
            synchronized (e) {
                CachedCopy h = e.held();
                if (toldOf(e, h)) {
                    tell(listener, e, h);
                }
            }
        }
    }

    /** Tells every listener of {@code h}, which {@code e} now holds (the caller holds {@code e}'s lock). */
    void held(Entry e, CachedCopy h) {
        for (BiConsumer<String, Representation> l : held) {
            tell(l, e, h);
        }
        for (Consumer<VerifiedRepresentation> l : verified) {
            tell(l, e, h);
        }
    }

    void addGone(Consumer<String> listener) {
        gone.add(requireNonNull(listener, "listener"));
    }

    /** Tells every gone listener that the upstream has {@code target} no more. */
    void gone(String target) {
        gone.forEach(l -> l.accept(target));
    }

    private static void tell(Consumer<VerifiedRepresentation> listener, Entry e, CachedCopy h) {
        VerifiedRepresentation copy = h.identity().verified();
        if (copy == null) {
            return; // a signed copy is held with the one its verification made (CachedVariant)
        }
        try {
            listener.accept(copy);
        } catch (RuntimeException ex) {
            LOG.warn("a listener of {} failed", e.key, ex);
        }
    }

    private static void tell(BiConsumer<String, Representation> listener, Entry e, CachedCopy h) {
        try {
            listener.accept(e.key.target(), h.base());
        } catch (RuntimeException ex) {
            LOG.warn("a listener of {} failed", e.key, ex);
        }
    }
}
