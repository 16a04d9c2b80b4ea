package org.rproxy.push;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Which substreams of one {@link Subscription} may be behind, kept as it happens, not searched
 * for: a substream is due when added and whenever its track has a new version or signature. The
 * due ones are served round robin in the order the substreams were added (their {@link
 * Substream#seq}), from the one after the substream served last, so finding the next one is
 * logarithmic in the number of substreams per event.
 *
 * <p>But the directory's substream goes first whenever it is behind: it lists the keys the other
 * documents are signed by. When the origin switches to a key it published moments before (or a
 * subscriber missed its publication: a push proxy started with the old key only), the new
 * version of every document is due at once, and served in round robin the maps signed with the
 * next key went out before the directory that teaches it; the subscriber refused them
 * ({@code UNKNOWN_KEY}, a warning each) and had them sent again once it had the directory.
 * Confined to the publisher's thread.
 */
final class DueSubstreams {
    private final TreeMap<Long, Substream> due = new TreeMap<>();
    private final boolean signatures;
    /** The place of the substream served last: the next one served is the first due after it. */
    private long cursor = -1;
    /** The substream following the directory, if any: served first when behind. */
    private Substream directory;

    /** @param signatures whether the stream carries signature events (a new signature alone is then behind) */
    DueSubstreams(boolean signatures) {
        this.signatures = signatures;
    }

    /** Adds {@code s} (its seq given), due at once. */
    void add(Substream s) {
        due.put(s.seq, s);
        if (s.target.equals(StreamDiscovery.DIRECTORY)) {
            directory = s;
        }
    }

    /** {@code s} is followed no more. */
    void remove(Substream s) {
        due.remove(s.seq);
        if (s == directory) {
            directory = null;
        }
    }

    /** {@code s}, one of the stream's substreams, may be behind. */
    void due(Substream s) {
        due.put(s.seq, s);
    }

    /** The next substream to serve, taken off the due ones; null when none is behind. */
    Substream next(Function<String, Track> tracks) {
        Substream s = first(tracks);
        if (s != null) {
            due.remove(s.seq);
            cursor = s.seq;
        }
        return s;
    }

    /**
     * The directory's substream when it is due and behind; else the first due substream after the
     * cursor (round robin) that is behind, left due; those found not behind on the way (sent
     * already, or following a track not held yet) are no longer due. Each due entry is looked at
     * once before it is dropped, so this is logarithmic work per event sent, amortised.
     */
    Substream first(Function<String, Track> tracks) {
        Substream d = directory;
        if (d != null && due.get(d.seq) == d && d.behind(tracks.apply(d.target), signatures)) {
            return d;
        }
        Substream s = first(due.tailMap(cursor, false), tracks);
        return s != null ? s : first(due.headMap(cursor, true), tracks);
    }

    private Substream first(Map<Long, Substream> part, Function<String, Track> tracks) {
        for (Iterator<Substream> it = part.values().iterator(); it.hasNext(); ) {
            Substream s = it.next();
            if (s.behind(tracks.apply(s.target), signatures)) {
                return s;
            }
            it.remove();
        }
        return null;
    }
}
