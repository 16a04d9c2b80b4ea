package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Set;

import org.rproxy.core.model.Directory;
import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.server.TargetForm;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;

/**
 * An ALTO client that needs to trust no proxy: it learns from the origin (its signed directory, checked against
 * the pinned key) the origin's keys and the RProxies that redistribute its documents, asks the best of them first
 * (see {@link SourcePolicy}), falls back to the next on any failure and to the origin last, verifies every
 * document it takes, refuses any version older than one it held (across restarts, with a state file), answers PID,
 * cost and ranking questions locally from the verified maps, and follows their changes through an update stream.
 *
 * <p>What the client asks and holds is fixed at bootstrap: the RProxies, the maps (the directory's default network
 * map and its cost maps), the update stream's path and the overlay are those of the directory verified then. A
 * newer directory, read by {@link #refreshKeys()}, {@link #refreshMaps()} or a follower, teaches only the keys it
 * lists (the origin's next key); its proxy list and maps are not taken up. To take them up, bootstrap a new client
 * (it may share this one's state file) and close this one.
 *
 * <pre>{@code
 * try (AltoClient alto = AltoClient.bootstrap(ClientOptions.of(URI.create("https://alto.example.net"),
 *         KeyPin.ofKeyId("Zh3...")).withClientAddress("198.51.100.7").withStateFile(Path.of("alto.state")))) {
 *     LocalAnswers maps = alto.refreshMaps();
 *     List<RankedEndpoint> peers = maps.rank("198.51.100.7", candidates);
 * }
 * }</pre>
 *
 * <p>Every method blocks on the caller's thread (requests are bounded by the timeout); any number of threads may
 * share a client. Refusals are {@link ClientException}s naming the URL and the reason; a document that verifies
 * but is not valid at this client's clock is refused as {@link ClientException.OutsideValidity}, not as tampering,
 * and when every source's copy is so the call ends in {@link ClientException.ClockSkew}: the clock looks wrong.
 * Interrupting the calling thread ends a call at once with {@link ClientException.Interrupted}, the thread's
 * interrupt status kept: no further source is asked and none is blamed for it. A version verified that the state
 * file cannot record (its folder missing or not writable, a full disk) ends a call in
 * {@link ClientException.StateFailure}: no other source is tried, as none would fare better.
 */
public final class AltoClient implements AutoCloseable {
    private final ClientOptions options;
    private final Directory directory;
    private final TrustedKeys keys;
    private final Fetcher fetcher;
    private final Checker checker;
    private final HeldState state;
    private final Sources sources;
    private final MapFetches mapFetches;
    private final Followers followers = new Followers();

    private AltoClient(ClientOptions options, Directory directory, TrustedKeys keys, Fetcher fetcher,
                       Checker checker, HeldState state, Sources sources) {
        this.options = options;
        this.directory = directory;
        this.keys = keys;
        this.fetcher = fetcher;
        this.checker = checker;
        this.state = state;
        this.sources = sources;
        this.mapFetches = new MapFetches(ClientThreads.of(options.origin()));
    }

    /**
     * Fetches the origin's directory, refuses it unless the pinned key signed it, and learns the
     * origin's keys and RProxies from it. With a state file, the newest directory verified is kept
     * beside it ({@code STATE.directory}) and taken, verified the same way, when the origin gives none.
     *
     * @param options the origin, the pinned keys and the client's settings
     * @return a client holding the verified directory, to be closed when no longer used
     * @throws ClientException.ClockSkew when the directory is signed by the pinned key but not valid
     *                                   at this client's clock (expired, or created ahead of it)
     * @throws ClientException           when the origin cannot be asked or its directory is refused, or the
     *                                   state file cannot record it ({@link ClientException.StateFailure})
     * @throws IllegalArgumentException  when the state file is unreadable
     */
    public static AltoClient bootstrap(ClientOptions options) {
        return bootstrap(options, null);
    }

    /**
     * As {@link #bootstrap(ClientOptions)}, with a P2P overlay asked first for every document:
     * what it offers is verified like any response, and the RProxies and the origin are asked
     * only when nothing it offers verifies. The directory comes from the origin; when neither it nor a kept one
     * gives one that verifies, the overlay's ({@link OverlaySource#directoryOffers}), checked the same way.
     * @param options the origin, the pinned keys and the client's settings
     * @param overlay the overlay, or null for none
     * @return a client holding the verified directory, to be closed when no longer used
     * @throws ClientException as {@link #bootstrap(ClientOptions)} throws it, and {@link IllegalArgumentException} likewise
     */
    public static AltoClient bootstrap(ClientOptions options, OverlaySource overlay) {
        requireNonNull(options, "options");
        RollbackGuard guard = options.stateFile() == null ? RollbackGuard.inMemory()
                : RollbackGuard.open(options.stateFile());
        Fetcher fetcher = new Fetcher(options);
        try {
            return bootstrap(options, overlay, guard, fetcher);
        } catch (RuntimeException e) {
            fetcher.close(); // no client to close it: its threads end now
            throw e;
        }
    }

    private static AltoClient bootstrap(ClientOptions options, OverlaySource overlay, RollbackGuard guard,
                                        Fetcher fetcher) {
        KeptDirectory kept = KeptDirectory.beside(options.stateFile());
        PinnedDirectory pinned = PinnedDirectory.fetch(options, guard, fetcher, kept, overlay);
        Directory dir = pinned.directory();
        TrustedKeys trusted = pinned.trusted();
        URI uri = Sources.at(options.origin(), AnswerEngine.DIRECTORY);
        Checker checker = new Checker(new ResponseVerifier(trusted, options.clock()), guard, trusted, kept).tellHeld(overlay);
        HeldState state = new HeldState(dir, pinned.signed(), options.clock());
        Sources sources = new Sources(options.origin(), Sources.proxiesOf(dir, uri), options,
                new SourceHealth(options.clock(), options.coolDown()), fetcher, checker, state::answers, System::nanoTime,
                dir, overlay);
        return new AltoClient(options, dir, trusted, fetcher, checker, state, sources);
    }

    /** The directory verified at bootstrap: core's model, so not public (an application uses {@code fetch("/directory")}). */
    Directory directory() {
        return directory;
    }

    /**
     * {@return the request targets of the maps {@link #refreshMaps()} fetches and holds, and a follower follows: the
     * directory's default network map, then the cost maps on it, as the directory verified at bootstrap lists them}
     */
    public List<String> mapTargets() {
        return List.copyOf(state.mapTargets());
    }

    /** {@return the RProxies the origin's directory listed at bootstrap, in its order} */
    public List<URI> proxies() {
        return sources.proxies();
    }

    /**
     * {@return the key ids whose signatures this client accepts now: the pinned keys and the keys listed by
     * the newest directory (by {@code created}) it verified: at bootstrap, at each
     * {@link #refreshKeys()}, and from a followed stream or poll}
     */
    public Set<String> trustedKeyIds() {
        return Set.copyOf(keys.keyIds());
    }

    /**
     * Reads the origin's directory again (from the best source that gives a valid one) and
     * trusts the keys it lists: how a client learns the origin's next key before the origin
     * signs with it. {@link #refreshMaps()} does this first, so a client that refreshes its maps
     * more often than the origin's rotation steps (see docs/origin.md, Key rotation) never refuses a document
     * signed with the new key. A directory older than one already learnt from (taken meanwhile
     * by a follower, say) changes no key: the set returned is then the newer one's.
     *
     * @return the key ids trusted now, as {@link #trustedKeyIds()}
     * @throws ClientException.NoSourceLeft when no source gave a valid directory
     * @throws IllegalStateException        once this client is closed
     */
    public Set<String> refreshKeys() {
        sources.fetch(AnswerEngine.DIRECTORY);
        return trustedKeyIds();
    }

    /** {@return what the client has seen of each source lately; its {@code sources()} lists them all, for a status page} */
    public SourceHealth health() {
        return sources.health();
    }

    /** {@return the order sources would be tried in now: proxies by the policy, the origin last} */
    public List<URI> sourceOrder() {
        return sources.order();
    }

    /**
     * GETs a signed document ({@code /networkmap/...}, {@code /costmap/...}, {@code /prop/pid}, ...)
     * from the best source that gives a valid one.
     *
     * <p>The target is taken in normal form ({@link TargetForm}: {@code /%64irectory} is
     * {@code /directory}, {@code ?type=priv%3Ax} is {@code ?type=priv:x}), as the sources look
     * documents up by it and the origin signs it: that form is what the document's
     * {@code alto-resource} path must name, what the version held is remembered by, and the
     * returned document's {@link VerifiedDocument#target()}.
     *
     * @param target the request target: an absolute path, with its query if any
     * @return the document, verified
     * @throws ClientException.NoSourceLeft with each source's reason when none did
     * @throws IllegalArgumentException     for a target that is not an absolute path, or has a
     *                                      {@code %} not followed by two hex digits
     * @throws IllegalStateException        once this client is closed
     */
    public VerifiedDocument fetch(String target) {
        requireNonNull(target, "target");
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("target: " + target + " (expected: an absolute path)");
        }
        String normal;
        try {
            normal = TargetForm.normalise(target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("target: " + target + " (a % not followed by two hex digits)");
        }
        return sources.fetch(normal);
    }

    /**
     * Reads the directory for the origin's keys ({@link #refreshKeys()}; when no source gives it, logs
     * why and goes on with the keys trusted so far), fetches the default network map and its cost
     * maps (each from the best source that gives a valid one), holds them and returns the answers. The maps are fetched at once, at most four at a
     * time, on threads of this client's ({@code alto-client-maps-M} and the origin's host, which {@link #close()}
     * ends): the call takes about as long as its slowest map. The first map (in
     * {@link #mapTargets()} order) that could be had from no source ends the call with its
     * refusal, and the other fetches are stopped; an interrupt of the caller ends it at once, as
     * any call's does, and stops them all, blaming no source. When the maps had do not fit together
     * (a source with a network map and a cost map of two versions), the ones behind are asked of the
     * other sources until the maps fit (no source is counted as failing for it: a pull proxy is half-way
     * through each update for a moment).
     *
     * @return the answers computed from the maps held now: a snapshot of that version, which a follower's update does
     *         not change ({@link #answers()} gives the newest)
     * @throws ClientException.NoSourceLeft    when a map could be had from no source
     * @throws ClientException.InvalidResponse when the maps fetched do not fit together (a cost map of another
     *                                         network map's version) and no other source had the one behind in a
     *                                         version that fits (taken during a change: call again)
     * @throws IllegalStateException           once this client is closed
     */
    public LocalAnswers refreshMaps() {
        KeysBeforeMaps.read(sources);
        List<String> targets = state.mapTargets();
        List<VerifiedDocument> fetched = mapFetches.fetchAll(targets, target -> {
            VerifiedDocument d = sources.fetch(target);
            state.put(target, d.representation());
            return d;
        }, target -> Sources.at(sources.origin(), target));
        return new FittingMaps(state, sources).settle(targets, fetched);
    }

    /**
     * {@return the answers of the maps held now, or null before {@link #refreshMaps()} or a followed update} Each
     * {@link LocalAnswers} is a snapshot of one version: ask here at each use for the newest (nothing is fetched
     * or computed), rather than keep one, which answers from its version while the client takes newer ones.
     */
    public LocalAnswers answers() {
        return state.answers();
    }

    /**
     * Follows the maps' changes: subscribes to the update stream of the best source (its
     * {@code /updates}), verifies each update as it is applied, and tells {@code listener} of
     * every new set of answers; falls back to polling while no stream can be had. Runs on a
     * thread of its own until closed (or this client is).
     *
     * @param listener told of every new set of answers and of every refusal, on the follower's thread
     * @return the follower, running; closing it stops following
     * @throws IllegalStateException once this client is closed
     */
    public UpdateFollower follow(UpdateFollower.Listener listener) {
        requireNonNull(listener, "listener");
        return followers.start(forget -> new UpdateFollower(state, sources, fetcher, mapFetches, checker, options,
                System::nanoTime, listener, forget));
    }

    /**
     * Stops every update follower, also one another thread starts meanwhile, and waits for them
     * (up to the timeout in all, however many: {@link Followers}), then the client's map fetches and HTTP: their threads
     * ({@code alto-client-maps-M}, {@code alto-client-http-M}, each followed by the origin's host) end, at once when idle. On Java 21+ the JDK {@code HttpClient} is closed too (its connections
     * and selector thread); on Java 17 to 20, which have no way to close it, its selector thread
     * and pooled connections go when this client is unreachable and collected. From now on
     * {@link #follow}, {@link #fetch}, {@link #refreshKeys()} and {@link #refreshMaps()} throw
     * {@link IllegalStateException}; the answers held, {@link #health()} and the rest still work.
     * Closing again does nothing.
     */
    @Override
    public void close() {
        followers.close(options.timeout());
        mapFetches.close();
        fetcher.close();
    }
}
