package org.rproxy.core.store;

import static java.util.Objects.requireNonNull;

/**
 * The representation of something held as it goes out with its {@code Age} (RFC 9111 §5.1),
 * made again only when that age (in whole seconds) or the thing held changes: at most once a
 * second, so a hit costs a comparison, and the front end prepares the fields of one variant per
 * second. Used by the pull feed for the copies it holds (keyed by the copy) and by the answers a
 * proxy computes (keyed by the answer). Thread-safe: a stamp raced by two threads is made twice,
 * and either is right.
 *
 * @param <K> what is held: the stamp is kept for one of them at a time, compared by identity
 */
public final class AgeStamp<K> {
    /** Makes the representation of {@code held} as it goes out {@code age} seconds old. */
    @FunctionalInterface
    public interface Stamper<K> {
        Representation withAge(K held, long age);
    }

    /** The representation of one thing held at one age. */
    private record Stamp<K>(K held, long age, Representation representation) {
    }

    private final Stamper<K> stamper;
    private volatile Stamp<K> last;

    public AgeStamp(Stamper<K> stamper) {
        this.stamper = requireNonNull(stamper, "stamper");
    }

    /** The representation of {@code held} at {@code age}: the one made last when it is for both, else a new one. */
    public Representation at(K held, long age) {
        Stamp<K> s = last;
        if (s != null && s.held() == held && s.age() == age) {
            return s.representation();
        }
        Representation r = stamper.withAge(held, age);
        last = new Stamp<>(held, age, r);
        return r;
    }

    /** Lets go of the representation made last (what it was made from is let go of: its bodies must not stay reachable). */
    public void forget() {
        last = null;
    }
}
