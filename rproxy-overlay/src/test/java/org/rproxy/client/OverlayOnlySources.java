package org.rproxy.client;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.model.Directory;
import org.rproxy.core.sign.FailedVerdicts;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.VerificationKey;

/**
 * For the overlay's tests: the client library's own fetch path ({@link Sources} and its
 * {@link Checker}) over a directory given as it is, with an {@link OverlaySource} and an origin
 * nobody answers at (127.0.0.1:1), so what a fetch returns came from the overlay or is why
 * nothing did. The origin's refusal is immediate on loopback; its exchanges are given 10 s all
 * the same, since with 1 s a JVM starved under load (a full build at load 40 and more) once told
 * the refusal as "timed out" and a check expecting "unreachable" failed. In this package only to
 * reach the client's package-private parts.
 */
public final class OverlayOnlySources {
    private final Sources sources;
    private final Checker checker;
    /** The keys the checker trusts (a test may teach it more, as a newer directory would). */
    public final TrustedKeys trusted;

    public OverlayOnlySources(Directory directory, List<VerificationKey> anchors, OverlaySource overlay) {
        ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:1"), KeyPin.ofKeyId(anchors.get(0).keyId()))
                .withTimeout(Duration.ofSeconds(10));
        trusted = new TrustedKeys(anchors);
        checker = new Checker(new ResponseVerifier(trusted, Clock.systemUTC()), RollbackGuard.inMemory(), trusted)
                .tellHeld(overlay); // as AltoClient's bootstrap does
        sources = new Sources(options.origin(), List.of(), options, new SourceHealth(Clock.systemUTC(), Duration.ofMinutes(1)),
                new Fetcher(options), checker, () -> null, System::nanoTime, directory, overlay);
    }

    /** The refusal the client makes of a bundle from {@code from} whose verdict is {@code outcome} (not VALID). */
    public static ClientException invalid(URI from, org.rproxy.core.sign.Verdict.Outcome outcome) {
        return new ClientException.InvalidResponse(from, FailedVerdicts.of(outcome, "test"));
    }

    /**
     * Takes {@code update} for {@code target} as the client's update-stream reader takes an event
     * from a proxy's stream: its signed fields checked first, then the body against them
     * ({@link Checker#checkFields}, {@link Checker#check(Checker.Admitted, org.rproxy.core.model.Bytes, long)}).
     * Returns the {@code created} taken.
     *
     * @throws ClientException as the stream reader's check would refuse it
     */
    public java.time.Instant takeFromStream(URI stream, String target, SignedBundle update) {
        Checker.Admitted fields = checker.checkFields(stream, target, update::field, checker.held(target));
        return checker.check(fields, update.body(), 0).created();
    }

    /** The document fetched (a {@link VerifiedDocument}), or the {@link ClientException} saying why there is none. */
    public Object fetch(String target) {
        try {
            return sources.fetch(target);
        } catch (ClientException e) {
            return e;
        }
    }
}
