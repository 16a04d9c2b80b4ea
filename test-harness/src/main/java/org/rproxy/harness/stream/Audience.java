package org.rproxy.harness.stream;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.rproxy.core.sign.ResponseVerifier;

/**
 * What all the subscribers of a {@link StreamingViewers} run share and report to: the signature
 * checks, the path of each substream, and the tallies the scenario reads — how many attached
 * (verified both documents), how many failed verification, lost their stream or were refused,
 * and, for the change being timed, when each subscriber applied it. Thread-safe: subscribers
 * report from the client's event loops, the scenario reads from its own thread.
 */
public final class Audience {
    private static final int KEPT_PROBLEMS = 10;

    final SignatureChecks checks;
    private final Map<String, String> paths;
    private final String timed;
    private final int size;
    private final CountDownLatch attached;
    private final AtomicReference<String> attachedTag = new AtomicReference<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<String> problems = new ArrayList<>();
    private volatile Change change;
    private volatile boolean closing;

    /**
     * An audience whose updates are checked against {@code verifier}'s keys, with the system clock for expiry.
     *
     * @param paths substream id to the path of the document it carries
     * @param timed the substream whose changes are timed
     * @param size  the number of subscribers
     */
    public static Audience of(ResponseVerifier verifier, Map<String, String> paths, String timed, int size) {
        return new Audience(new SignatureChecks(verifier, Clock.systemUTC()), paths, timed, size);
    }

    Audience(SignatureChecks checks, Map<String, String> paths, String timed, int size) {
        this.checks = requireNonNull(checks, "checks");
        this.paths = Map.copyOf(paths);
        this.timed = requireNonNull(timed, "timed");
        if (!paths.containsKey(timed)) {
            throw new IllegalArgumentException("timed: " + timed + " (expected: one of " + paths.keySet() + ")");
        }
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        this.size = size;
        this.attached = new CountDownLatch(size);
    }

    int size() {
        return size;
    }

    String pathOf(String substream) {
        return paths.get(substream);
    }

    int substreamCount() {
        return paths.size();
    }

    /** The substream ids subscribed to. */
    Set<String> substreams() {
        return paths.keySet();
    }

    String timed() {
        return timed;
    }

    /** A subscriber holds a verified copy of every document; {@code tag} is the timed one's entity tag. */
    void attached(String tag) {
        attachedTag.compareAndSet(null, tag);
        attached.countDown();
    }

    void applied(int index, String substream, String tag, long nanos) {
        Change c = change;
        if (c != null && substream.equals(timed)) {
            c.applied(index, tag, nanos);
        }
    }

    void failed(String what) {
        failures.incrementAndGet();
        problem("verification: " + what);
    }

    void lost(String what) {
        if (!closing) {
            lost.incrementAndGet();
            problem("lost: " + what);
        }
    }

    void refused(String what) {
        refused.incrementAndGet();
        problem("refused: " + what);
    }

    private void problem(String p) {
        synchronized (problems) {
            if (problems.size() < KEPT_PROBLEMS) {
                problems.add(p);
            }
        }
    }

    /** Waits until every subscriber attached or {@code limit} passed; the number attached. */
    public int awaitAttached(Duration limit) throws InterruptedException {
        attached.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        return size - (int) attached.getCount();
    }

    /** Starts timing the next change of the timed document: any tag but the one every subscriber holds now. */
    public Change begin(String heldTag) {
        Change c = new Change(heldTag, size);
        change = c;
        return c;
    }

    /** The timed document's tag when the subscribers attached. */
    public String attachedTag() {
        return attachedTag.get();
    }

    void closing() {
        closing = true;
    }

    public int failures() {
        return failures.get();
    }

    public int lost() {
        return lost.get();
    }

    /** Signatures verified cryptographically, shared by all subscribers. */
    public long fullVerifications() {
        return checks.fullVerifications();
    }

    /** Updates whose rebuilt bytes a subscriber digested. */
    public long digestChecks() {
        return checks.digestChecks();
    }

    public int refused() {
        return refused.get();
    }

    public List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }
}
