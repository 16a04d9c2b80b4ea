package org.rproxy.pull;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.micrometer.core.instrument.MeterRegistry;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.ConfigException;
import org.rproxy.core.config.ProxyConfig;
import org.rproxy.core.metrics.AdminServer;
import org.rproxy.core.server.AltoService;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.BodySpool;
import org.rproxy.core.store.Representation;

/**
 * A running pull-mode RProxy: the front end, the {@link PullFeed} with its store, the client
 * towards the upstream, and the admin listener when configured ({@link PullAssembly} builds
 * them). {@link #start} fails before serving anything when a key, a certificate or an address
 * is unusable; {@link #close} stops every thread and timer it started.
 */
public final class PullProxy implements AutoCloseable {
    private final PullAssembly parts;
    private final List<AdminServer.Readiness> readinessChecks = new CopyOnWriteArrayList<>();

    private PullProxy(PullAssembly parts) {
        this.parts = parts;
    }

    public static PullProxy start(ProxyConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** Starts with {@code clock} deciding validity and freshness (tests move it instead of waiting). */
    public static PullProxy start(ProxyConfig config, Clock clock) {
        return start(config, clock, UnaryOperator.identity());
    }

    /**
     * Starts with the front end's service wrapped by {@code wrapFront}: the app mounts more
     * resources beside the pulled ones (the push publisher's {@code /updates}).
     */
    public static PullProxy start(ProxyConfig config, Clock clock, UnaryOperator<AltoService> wrapFront) {
        return start(config, clock, wrapFront, WorkPool.threads() * WorkPool.QUEUE_PER_THREAD);
    }

    /** Starts with at most {@code maxQueuedWork} tasks waiting for the worker threads ({@link WorkPool}; tests). */
    static PullProxy start(ProxyConfig config, Clock clock, UnaryOperator<AltoService> wrapFront,
                           int maxQueuedWork) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        requireNonNull(wrapFront, "wrapFront");
        if (config.mode() != ProxyConfig.Mode.PULL) {
            throw new ConfigException("mode: " + config.mode() + " is not the pull mode");
        }
        PullProxy proxy = new PullProxy(new PullAssembly(config, clock));
        try {
            proxy.parts.assemble(wrapFront, maxQueuedWork, proxy::notReadyBecause);
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    /**
     * The ids of the keys this proxy accepts signatures from now: those configured and those its
     * upstream's directory lists (read-only; the set as it is at the call).
     */
    public Set<String> trustedKeyIds() {
        return parts.keys().keyIds();
    }

    /**
     * This proxy's verifier (its pull feed's, the same at every call), by its clock, on the keys it
     * trusts as they change: a key this proxy learns from a directory it holds, pulled or
     * {@linkplain #offer offered}, is trusted by the verifier at once. For a feed composed with
     * this proxy that verifies what it offers (the app's push half), so that both learn the
     * origin's next key from either's directory, and what it verified is held without verifying it
     * again ({@link #offer(VerifiedRepresentation)}). This proxy hands out no more of its key set:
     * {@link TrustedKeys#learn} takes its caller's word that the directory was verified; the
     * verifier gives the ids as a snapshot, and learns only from a directory it verifies itself
     * ({@link ResponseVerifier#learnKeys}).
     */
    public ResponseVerifier verifier() {
        return parts.verifier();
    }

    /** The bound front-end address. */
    public InetSocketAddress address() {
        return parts.server().localAddress();
    }

    /** {@code http://host:port} (or https) of the front end. */
    public String baseUri() {
        return parts.baseUri();
    }

    /** The admin listener's address, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return parts.admin() == null ? null : parts.admin().localAddress();
    }

    /** The meters, as {@code /metrics} shows them: parts composed with this proxy add theirs. */
    public MeterRegistry registry() {
        return parts.registry();
    }

    /**
     * The directory of this proxy's spool files (large bodies sent with sendfile), or null when it
     * spools none.
     */
    public Path spoolDirectory() {
        BodySpool spool = parts.store().spool();
        return spool == null ? null : spool.directory();
    }

    /** Bytes held by the store now. */
    public long heldBytes() {
        return parts.store().weightedBytes();
    }

    /**
     * Null when every tracked resource holds a valid copy and every added check passes, else every
     * reason, joined by {@code "; "}, as {@code /readyz} says ({@link Reasons}: items named up to a bound).
     */
    public String notReadyBecause() {
        List<String> why = new ArrayList<>();
        why.add(parts.feed().notReadyBecause());
        if (parts.local() != null) {
            why.add(parts.local().notReadyBecause());
        }
        // Last: a part that takes what this proxy holds (an update stream) must have taken
        // everything held by the time the checks above passed.
        readinessChecks.forEach(check -> why.add(check.notReadyBecause()));
        why.removeIf(Objects::isNull);
        return why.isEmpty() ? null : String.join("; ", why);
    }

    /** Adds a check to readiness: a part composed with this proxy that must be ready too. */
    public void addReadinessCheck(AdminServer.Readiness check) {
        readinessChecks.add(requireNonNull(check, "check"));
    }

    /**
     * Runs one refresher pass now and completes when the upstream attempts it started have
     * ended. The scheduler does this every {@code refresh.tick}; tests call it instead of waiting.
     */
    public CompletableFuture<Void> refreshNow() {
        return parts.feed().refreshNow();
    }

    /**
     * Holds {@code bundle} for a GET of the path it names as if pull had fetched it now (entry and
     * store), once it verified with this proxy's {@link #verifier()}: the keys it trusts now, by its
     * clock ({@link SignedBundle#representation}). Nothing is held on the caller's word, so a
     * directory offered teaches the keys it lists only when the origin signed it. Returns false,
     * holding nothing, when the copy held is newer (by {@code created}).
     *
     * @throws IllegalArgumentException when the bundle does not verify ({@code OUTCOME: reason}),
     *                                  is the answer to a query, or has a content-coded body
     */
    public boolean offer(SignedBundle bundle) {
        requireNonNull(bundle, "bundle");
        return parts.feed().offer(bundle.verified(verifier()), parts.via());
    }

    /**
     * Holds {@code copy} for a GET of its target as if pull had fetched it now (entry and store):
     * what a feed composed with this proxy (the app's push half) verified with this proxy's
     * {@link #verifier()} is held as it is, not verified again; one another verifier made (on
     * other keys, perhaps: anyone can make one) is verified here as
     * {@link #offer(String, Representation)} does. Returns false, holding nothing, when it does not
     * verify, has expired, or the copy held is newer (by {@code created}).
     */
    public boolean offer(VerifiedRepresentation copy) {
        requireNonNull(copy, "copy");
        if (!copy.verifiedBy(parts.verifier())) {
            return offer(copy.target(), copy.representation());
        }
        return parts.feed().offer(copy, parts.via());
    }

    /**
     * Holds {@code copy} for a GET of {@code target} as if pull had fetched it now (entry and
     * store), once each of its variants verified for {@code target} with this proxy's
     * {@link #verifier()}: a {@link Representation} is anyone's to make, and nothing is held on
     * the caller's word, its {@code created} and {@code expires} included (the identity variant's
     * signature says them; {@link VerifiedRepresentation#verify}). Returns false, holding nothing,
     * when a variant does not verify (expired included) or the copy held is newer (by
     * {@code created}).
     */
    public boolean offer(String target, Representation copy) {
        requireNonNull(target, "target");
        requireNonNull(copy, "copy");
        return VerifiedRepresentation.verify(parts.verifier(), target, copy) instanceof VerifiedRepresentation.Verified v
                && (v.gzip() == null || v.gzip() == Verdict.Outcome.VALID)
                && parts.feed().offer(v.copy(), parts.via());
    }

    /**
     * Calls {@code listener} with each signed copy held for a GET target (fetched, revalidated or
     * offered), on the thread that held it, and at once with each held already, so a listener
     * added after the start misses nothing (it may hear a copy twice); it must not block.
     */
    public void addChangeListener(BiConsumer<String, Representation> listener) {
        parts.feed().addChangeListener(listener);
    }

    /**
     * Calls {@code listener} with each signed copy held, as {@link #addChangeListener} does, as this
     * proxy verified it: the {@link VerifiedRepresentation} of its identity variant that
     * verification made, {@linkplain VerifiedRepresentation#verifiedBy by} {@link #verifier()} (an
     * offered copy as offered, without this proxy's {@code via}). A part composed with this proxy
     * that needs a copy verified (the overlay publisher) takes it from here instead of verifying
     * the bytes again.
     */
    public void addVerifiedListener(Consumer<VerifiedRepresentation> listener) {
        parts.feed().addVerifiedListener(listener);
    }

    /**
     * Calls {@code listener} with each GET target the upstream answered {@code 404} or
     * {@code 410} for while this proxy held or tracked it (a map retired at the origin), once the
     * copy held is dropped, on the thread that dropped it; it must not block.
     */
    public void addGoneListener(Consumer<String> listener) {
        parts.feed().addGoneListener(listener);
    }

    /**
     * Revalidates the signed copy of {@code target} held here at once, its directory first,
     * rather than on its schedule (within {@code min-interval} of its last attempt, once that has
     * passed): a push upstream stopped its substream, a word not trusted, so
     * the signed answers decide whether it goes (see {@link #addGoneListener}). Does not block.
     */
    public void revalidateNow(String target) {
        parts.feed().revalidateNow(target);
    }

    /** The GET targets for which a signed copy is held now, valid or not (a snapshot). */
    public Set<String> heldSignedTargets() {
        return parts.feed().heldSignedTargets();
    }

    /**
     * Keeps the targets {@code targets} lists fetched and fresh as if clients asked for them at
     * every refresher pass (the documents an update stream mounted on this front end follows, so
     * that its subscribers see each new version as soon as a revalidation brings it). Called on
     * the refresher thread every {@code refresh.tick}; it must not block.
     */
    public void keepFresh(Supplier<? extends Collection<String>> targets) {
        parts.feed().keepFresh(targets);
    }

    /**
     * Calls {@code listener} whenever query answers computed here may have changed (with
     * {@code queries: local}, each time the set of parsed maps is swapped in; with
     * {@code queries: upstream}, never: forwarded answers follow the upstream's). It runs on a
     * worker thread and must not block.
     */
    public void addAnswersListener(Runnable listener) {
        requireNonNull(listener, "listener");
        if (parts.local() != null) {
            parts.local().addRebuiltListener(listener);
        }
    }

    @Override
    public void close() {
        parts.close();
    }
}
