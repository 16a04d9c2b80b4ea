package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Which refusals of a polling follower are news to its listener: during an outage (the origin
 * and the proxies away, the overlay keeping the maps current) each poll fails as the last did, and
 * an application that logs what it is told logged the same lines every poll interval. A refusal
 * is told once per outage: a URL (a stream's subscription, the directory, a map) that failed the
 * same way as when it was told last, since it last worked, is not told again; it is told again
 * when it fails another way, or once it worked in between (its map or directory fetched, any
 * stream followed: the follower is no longer polling). "The same way" is the kind of refusal and
 * its reason; for a fetch that every source refused, each source's, in order, and for a copy
 * outside its validity which side of it this client's clock is (its reading changes every poll).
 * Refusals of a stream being followed are not this class's: each is news. Thread-safe.
 */
final class OutageRefusals {
    /** What each URL's last refusal told was, until that URL works again. */
    private final Map<URI, String> told = new HashMap<>();

    /** True when {@code why} is to be told: its URL has not failed this way since it last worked. */
    synchronized boolean news(ClientException why) {
        requireNonNull(why, "why");
        return !way(why).equals(told.put(why.uri(), way(why)));
    }

    /** {@code uri} worked: its next refusal is news. */
    synchronized void worked(URI uri) {
        told.remove(uri);
    }

    /** A stream is followed: the outage is over, every next refusal is news. */
    synchronized void streamFollowed() {
        told.clear();
    }

    /** How {@code e} failed, without what changes from one poll to the next of the same failure. */
    private static String way(ClientException e) {
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
        if (e instanceof ClientException.NoSourceLeft n) {
            for (ClientException a : n.attempts()) {
                sb.append("; ").append(a.uri()).append(' ').append(way(a));
            }
        } else if (e instanceof ClientException.OutsideValidity o) {
            sb.append(o.notYetValid() ? " not yet valid" : " expired");
        } else {
            sb.append(": ").append(e.reason());
        }
        return sb.toString();
    }
}
