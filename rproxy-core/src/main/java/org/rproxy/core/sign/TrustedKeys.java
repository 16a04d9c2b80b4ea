package org.rproxy.core.sign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Jwk;

/**
 * The origin keys a node accepts signatures from, so that the origin can rotate its key without
 * a refused response anywhere: the <b>anchors</b> it was configured with (PEM files, or a key
 * pinned by id) and the keys it <b>learnt</b> from the newest directory it verified. A
 * directory is verified with the keys trusted so far, so only a key already trusted can
 * introduce the next one; what the directory no longer lists is no longer trusted (a retired
 * key), but an anchor always is, whatever a directory says.
 *
 * <p>"Newest" is by the directory's signature {@code created}, given with every learning: a
 * directory older than the one the set was last learnt from teaches nothing, whatever order the
 * callers' threads come in. Two threads checking two versions at once (a stream's directory
 * event and an app's refresh) would otherwise leave the key set of whichever finished last,
 * trusting again a key the newer directory retired, or never learning the next one.
 *
 * <p>That marker binds only while the directory it came from is valid: once its signature's
 * {@code expires} has passed (by the clock the caller verified with, given as {@code now}), any
 * directory the caller verified teaches again, older or not, and becomes the marker. So an origin
 * whose clock was stepped back (its new directories older than one it signed before) is followed
 * again once the last directory from before the step expires, not only after a restart; while two
 * checks at once race, the newer directory was just verified and has not expired, so the older
 * still teaches nothing. This is the pull proxy's rollback rule for documents too
 * ({@code RollbackFloors}: a floor lasts until its signature expires). The client library's
 * rollback guard is stricter: it refuses a directory older than the newest it holds before it gets
 * here, for good with a state file, so a client sees such a directory as a rollback, not as a key
 * set to learn. A push proxy refuses an update older than the version it holds by the same rule
 * ({@link RollbackRule}): only while that version's signature is valid.
 *
 * <p>Thread-safe: verifiers on any thread read the current set (one volatile read), and a
 * learning replaces it whole, under the set's lock, after comparing its {@code created}. Learning
 * is idempotent, so feeds may call it for every directory they take.
 */
public final class TrustedKeys {
    private final Map<String, VerificationKey> anchors;
    private volatile Map<String, VerificationKey> current;
    /** The {@code created} of the directory learnt from last, or null (the anchors alone); guarded by this. */
    private Instant learntFrom;
    /** When the signature of the directory learnt from last expires, or null; guarded by this. */
    private Instant learntUntil;

    public TrustedKeys(Collection<VerificationKey> anchors) {
        requireNonNull(anchors, "anchors");
        Map<String, VerificationKey> byId = new LinkedHashMap<>();
        for (VerificationKey k : anchors) {
            byId.put(requireNonNull(k, "anchor").keyId(), k);
        }
        this.anchors = Map.copyOf(byId);
        this.current = this.anchors;
    }

    /** The trusted key whose RFC 7638 thumbprint is {@code keyId}, or null. */
    public VerificationKey find(String keyId) {
        return keyId == null ? null : current.get(keyId);
    }

    /**
     * The key ids trusted now: the anchors and the keys learnt last; a snapshot (unmodifiable, and
     * unchanged by a later learning, which replaces the set whole).
     */
    public Set<String> keyIds() {
        return current.keySet();
    }

    /**
     * The {@code created} of the directory the keys were learnt from last, or null when none was;
     * it orders the next learnings until that directory's signature expires.
     */
    public synchronized Instant learntFrom() {
        return learntFrom;
    }

    /**
     * Trusts, beside the anchors, exactly the keys that {@code directoryKeys} lists; the caller has
     * verified the directory they come from, signed at {@code created} and valid until
     * {@code expires}. A directory created before the one learnt from last teaches nothing while
     * that one's signature is valid at {@code now}, the caller's verifying clock (one created at the
     * same time is learnt again: the same directory, taken twice). A listed key that is no usable key (its {@code kid} not its
     * thumbprint, an unknown curve) is skipped. A set naming one {@code kid} twice is refused
     * whole, as a {@link org.rproxy.core.model.Directory} refuses it.
     *
     * @return true when the set changed
     * @throws IllegalArgumentException when {@code directoryKeys} names a {@code kid} twice (nothing learnt)
     */
    public synchronized boolean learn(List<Jwk> directoryKeys, Instant created, Instant expires, Instant now) {
        requireNonNull(directoryKeys, "directoryKeys");
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
        requireNonNull(now, "now");
        if (olderThanLearnt(created, now)) {
            return false;
        }
        Set<String> kids = new HashSet<>();
        for (Jwk jwk : directoryKeys) {
            if (!kids.add(jwk.kid())) {
                throw new IllegalArgumentException("directoryKeys: key id " + jwk.kid()
                        + " listed twice (expected: a key set naming each key once)");
            }
        }
        Map<String, VerificationKey> next = new LinkedHashMap<>(anchors);
        for (Jwk jwk : directoryKeys) {
            try {
                VerificationKey k = VerificationKey.fromJwk(jwk);
                next.putIfAbsent(k.keyId(), k);
            } catch (IllegalArgumentException e) {
                // A key nobody can use verifies nothing; the others still do.
            }
        }
        learntFrom = created;
        learntUntil = expires;
        if (next.keySet().equals(current.keySet())) {
            return false;
        }
        current = Map.copyOf(next);
        return true;
    }

    /**
     * As {@link #learn}, with the keys of a directory (its uncompressed bytes) that the caller has
     * verified, signed at {@code created} and valid until {@code expires}; a directory that does
     * not read (one naming a key id twice included) teaches nothing, and one older than the valid
     * directory learnt from last is not even read.
     *
     * @return true when the set changed
     */
    public boolean learnFrom(Bytes verifiedDirectory, Instant created, Instant expires, Instant now) {
        requireNonNull(verifiedDirectory, "verifiedDirectory");
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
        requireNonNull(now, "now");
        synchronized (this) {
            if (olderThanLearnt(created, now)) {
                return false; // spares reading it; learn checks again, under the lock that orders the learnings
            }
        }
        List<Jwk> listed;
        try {
            listed = AltoJson.readDirectory(AltoJson.parse(verifiedDirectory.unsafeArray())).keys();
        } catch (AltoException | IllegalArgumentException e) {
            return false;
        }
        return learn(listed, created, expires, now);
    }

    /**
     * True when {@code created} is before the directory learnt from last and that directory's
     * signature has not expired at {@code now}; the caller holds the lock.
     */
    private boolean olderThanLearnt(Instant created, Instant now) {
        return learntFrom != null && RollbackRule.refuses(created, learntFrom, learntUntil, now);
    }

    @Override
    public String toString() {
        return "TrustedKeys" + current.keySet();
    }
}
