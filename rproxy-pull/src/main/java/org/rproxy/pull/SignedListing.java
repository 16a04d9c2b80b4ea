package org.rproxy.pull;

import java.util.Set;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.answer.ListedMaps;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the origin's signed directory held by a pull proxy vouches for: the directory itself and
 * the maps it lists ({@link ListedMaps}). The upstream is not trusted, so its word that it has no
 * such resource (404, 410) does not remove a valid signed copy of one of these: only a signed
 * directory without it does (ARCHITECTURE.md §4). Each directory is read once. Thread-safe.
 */
final class SignedListing {
    private static final Logger LOG = LoggerFactory.getLogger(SignedListing.class);

    /** A directory held and the targets it lists. */
    private record Read(Representation directory, Set<String> targets) {
    }

    private volatile Read last;

    /**
     * True when {@code directory} (the signed, verified, unexpired one held, or null) lists
     * {@code target}, or {@code target} is the directory's own.
     */
    boolean lists(String target, Representation directory) {
        if (directory == null) {
            return false;
        }
        if (target.equals(AnswerEngine.DIRECTORY)) {
            return true;
        }
        Read r = last;
        if (r == null || r.directory() != directory) {
            r = new Read(directory, read(directory));
            last = r;
        }
        return r.targets().contains(target);
    }

    private static Set<String> read(Representation directory) {
        try {
            return ListedMaps.of(AltoJson.readDirectory(AltoJson.parse(directory.identity().body().unsafeArray())));
        } catch (RuntimeException e) {
            // signed, yet not a directory this node reads: it vouches for nothing but itself
            LOG.warn("the signed directory held could not be read: {}", e.getMessage());
            return Set.of();
        }
    }
}
