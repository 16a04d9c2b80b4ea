package org.rproxy.harness.load;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.rproxy.core.model.NetworkMap;
import org.rproxy.core.sign.VerificationKey;

/**
 * Settings of one viewers run.
 *
 * @param targets      URLs viewers are spread over (viewer i talks to target i mod n)
 * @param trusted      keys responses are verified with
 * @param viewers      how many viewers the schedule holds
 * @param arrival      when they arrive
 * @param verify       how much is checked
 * @param connections  keep-alive connections per target
 * @param pipeline     requests in flight per connection (1: no pipelining)
 * @param ioThreads    client event-loop threads
 * @param duration     no arrival after this, or null for none
 * @param drain        how long viewers that arrived may take to finish after the last arrival
 * @param timeout      a request unanswered this long fails
 * @param mix          kinds of viewers
 * @param gzip         whether viewers accept gzip
 * @param seed         the crowd's seed
 * @param addresses    the network map viewers' addresses are drawn from
 * @param documentsOnly viewers stop after the network map (PID found locally): no cost row, no ranking
 * @param tls          TLS towards the {@code https} targets (required when there is one), or null
 */
public record LoadConfig(List<URI> targets, List<VerificationKey> trusted, long viewers, ArrivalSchedule arrival,
                         VerifyMode verify, int connections, int pipeline, int ioThreads, Duration duration,
                         Duration drain, Duration timeout, Population.Mix mix, boolean gzip, long seed,
                         NetworkMap addresses, boolean documentsOnly, TargetTls tls) {
    public LoadConfig {
        targets = List.copyOf(requireNonNull(targets, "targets"));
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("--target: none given (expected: at least one URL)");
        }
        checkTargets(targets);
        for (URI t : targets) {
            if (https(t) && tls == null) {
                throw new IllegalArgumentException("--target: " + t + ": https, but no TLS settings given");
            }
        }
        trusted = List.copyOf(requireNonNull(trusted, "trusted"));
        checkCounts(viewers, connections, pipeline, ioThreads);
        requireNonNull(arrival, "arrival");
        requireNonNull(verify, "verify");
        checkTrust(verify, trusted.size());
        requireNonNull(drain, "drain");
        requireNonNull(timeout, "timeout");
        requireNonNull(mix, "mix");
        requireNonNull(addresses, "addresses");
    }

    /** Settings whose https targets, if any, are checked against the system trust store. */
    public LoadConfig(List<URI> targets, List<VerificationKey> trusted, long viewers, ArrivalSchedule arrival,
                      VerifyMode verify, int connections, int pipeline, int ioThreads, Duration duration,
                      Duration drain, Duration timeout, Population.Mix mix, boolean gzip, long seed,
                      NetworkMap addresses, boolean documentsOnly) {
        this(targets, trusted, viewers, arrival, verify, connections, pipeline, ioThreads, duration, drain, timeout, mix,
                gzip, seed, addresses, documentsOnly, TargetTls.forTargets(requireNonNull(targets, "targets"), null));
    }

    /**
     * Refuses a count out of range, naming its option: called before anything is fetched (a bad
     * {@code --pipeline} used to be refused only once the network map had been read from the target).
     */
    public static void checkCounts(long viewers, int connections, int pipeline, int ioThreads) {
        if (viewers < 1) {
            throw new IllegalArgumentException("--viewers: " + viewers + " (expected: >= 1)");
        }
        if (connections < 1 || connections > 10_000) {
            throw new IllegalArgumentException("--connections: " + connections + " (expected: 1-10000)");
        }
        if (pipeline < 1 || pipeline > 128) {
            throw new IllegalArgumentException("--pipeline: " + pipeline + " (expected: 1-128)");
        }
        if (ioThreads < 1 || ioThreads > 64) {
            throw new IllegalArgumentException("--io-threads: " + ioThreads + " (expected: 1-64)");
        }
    }

    /** Refuses verifying ({@code --verify all} or {@code sample:P}) with no {@code --trust} key to verify with. */
    public static void checkTrust(VerifyMode verify, int keys) {
        if (verify.share() > 0 && keys == 0) {
            throw new IllegalArgumentException("--trust: none given (expected: a key when verifying; or --verify none)");
        }
    }

    /** Refuses a target that is not an http or https URL with a host, naming it. */
    public static void checkTargets(List<URI> targets) {
        for (URI t : targets) {
            if (!("http".equals(t.getScheme()) || https(t)) || t.getHost() == null) {
                throw new IllegalArgumentException("--target: " + t + " (expected: http://HOST[:PORT][/PATH] or "
                        + "https://HOST[:PORT][/PATH])");
            }
        }
    }

    static boolean https(URI target) {
        return "https".equals(target.getScheme());
    }
}
