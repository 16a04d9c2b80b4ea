package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import javax.net.ssl.SSLContext;

/**
 * How an {@link AltoClient} is set up: where the origin is and which key it signs with (the
 * only two things it must be told), and settings with defaults. Build with
 * {@link #of(URI, KeyPin)} and the {@code with...} methods. Immutable.
 *
 * @param origin        the origin's base URL ({@code https://alto.example.net}); the directory is its {@code /directory}
 * @param pin           the origin's key, or its key id
 * @param clientAddress this client's own address (IP literal), to rank sources by network cost; null not to
 * @param stateFile     where the newest version held per document is kept across restarts; null: memory only.
 *                      Clients may share one (records are merged under a lock on {@code NAME.lock} beside it)
 * @param timeout       per request: connecting and receiving the response (default 5 s)
 * @param coolDown      how long a source whose response failed verification, or whose update stream let a
 *                      map run late, is not asked (default 5 min; one that offered a rollback, 1 min or
 *                      this if shorter: see {@link SourceHealth})
 * @param pollInterval  how often maps are polled while no update stream can be had (default 60 s)
 * @param readTimeout   an update stream silent this long is taken for dead (default 30 s: three heartbeats).
 *                      Keep it at about twice the upstream's heartbeat interval (the origin's and the
 *                      proxies' streams send one after 10 s of silence by default, {@code --heartbeat},
 *                      {@code push.heartbeat}): one not above it takes live but quiet streams for dead
 *                      (10 s against a 10 s heartbeat dropped a stream every 22 s or so). It is not
 *                      checked here, the upstream's heartbeat being unknown until it is reached; a
 *                      stream dropped for silence says so and names this setting. Also the time a proxy's stream is given, from subscribing, before it is left for
 *                      a map held within a quarter of its validity of expiry (see {@link UpdateFollower})
 * @param maxEventBytes the largest document accepted: a response body, or an update stream event
 *                      (default 64 MB)
 * @param policy        the order sources are tried in (default {@link SourcePolicy#costRanked()})
 * @param sslContext    TLS trust for {@code https} sources, or null for the JDK's default
 * @param clock         time for signature validity and cool-downs (default the system clock)
 */
public record ClientOptions(URI origin, KeyPin pin, String clientAddress, Path stateFile, Duration timeout,
                            Duration coolDown, Duration pollInterval, Duration readTimeout, int maxEventBytes,
                            SourcePolicy policy, SSLContext sslContext, Clock clock) {

    public ClientOptions {
        requireNonNull(origin, "origin");
        requireNonNull(pin, "pin");
        if (origin.getHost() == null || !("http".equals(origin.getScheme()) || "https".equals(origin.getScheme()))) {
            throw new IllegalArgumentException("origin: " + origin + " (expected: an absolute http or https URL)");
        }
        if (clientAddress != null) {
            LocalAnswers.address(clientAddress, "clientAddress");
        }
        positive(timeout, "timeout");
        positive(coolDown, "coolDown");
        positive(pollInterval, "pollInterval");
        positive(readTimeout, "readTimeout");
        if (maxEventBytes < 1024) {
            throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes + " (expected: >= 1024)");
        }
        requireNonNull(policy, "policy");
        requireNonNull(clock, "clock");
    }

    /** The defaults for an origin and its key. */
    public static ClientOptions of(URI origin, KeyPin pin) {
        return new ClientOptions(origin, pin, null, null, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofSeconds(60), Duration.ofSeconds(30), 64 << 20, SourcePolicy.costRanked(), null,
                Clock.systemUTC());
    }

    public ClientOptions withClientAddress(String address) {
        return new ClientOptions(origin, pin, address, stateFile, timeout, coolDown, pollInterval, readTimeout,
                maxEventBytes, policy, sslContext, clock);
    }

    public ClientOptions withStateFile(Path file) {
        return new ClientOptions(origin, pin, clientAddress, file, timeout, coolDown, pollInterval, readTimeout,
                maxEventBytes, policy, sslContext, clock);
    }

    public ClientOptions withTimeout(Duration t) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, t, coolDown, pollInterval, readTimeout,
                maxEventBytes, policy, sslContext, clock);
    }

    public ClientOptions withCoolDown(Duration d) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, timeout, d, pollInterval, readTimeout,
                maxEventBytes, policy, sslContext, clock);
    }

    public ClientOptions withPollInterval(Duration d) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, timeout, coolDown, d, readTimeout,
                maxEventBytes, policy, sslContext, clock);
    }

    public ClientOptions withReadTimeout(Duration d) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, timeout, coolDown, pollInterval, d,
                maxEventBytes, policy, sslContext, clock);
    }

    /** The largest document accepted, as a response body or an update stream event. */
    public ClientOptions withMaxEventBytes(int max) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, timeout, coolDown, pollInterval, readTimeout,
                max, policy, sslContext, clock);
    }

    public ClientOptions withPolicy(SourcePolicy p) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, timeout, coolDown, pollInterval, readTimeout,
                maxEventBytes, p, sslContext, clock);
    }

    public ClientOptions withSslContext(SSLContext context) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, timeout, coolDown, pollInterval, readTimeout,
                maxEventBytes, policy, context, clock);
    }

    public ClientOptions withClock(Clock c) {
        return new ClientOptions(origin, pin, clientAddress, stateFile, timeout, coolDown, pollInterval, readTimeout,
                maxEventBytes, policy, sslContext, c);
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
