package org.rproxy.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;

/**
 * How an {@link AltoClient} is set up: where the origin is and which key it signs with (the
 * only two things it must be told), and settings with defaults. Made only by
 * {@link #of(URI, KeyPin)}, each other setting by a {@code with...} method, which returns new
 * options (so settings can be added in later versions without breaking callers). Every value is
 * checked where it is given: a bad one is an {@link IllegalArgumentException} naming the setting.
 * Immutable; equal when every setting is.
 */
public final class ClientOptions {
    /** The settings, checked; never changed once these options are made (a change makes a copy). */
    private final Values v;

    private ClientOptions(Values v) {
        requireNonNull(v.origin, "origin");
        requireNonNull(v.pin, "pin");
        if (v.origin.getHost() == null || !("http".equals(v.origin.getScheme()) || "https".equals(v.origin.getScheme()))) {
            throw new IllegalArgumentException("origin: " + v.origin + " (expected: an absolute http or https URL)");
        }
        String path = v.origin.getRawPath(); // the client asks the origin's root: a path would be dropped unsaid
        if (path != null && !path.isEmpty() && !"/".equals(path) || v.origin.getRawQuery() != null || v.origin.getRawFragment() != null) {
            throw new IllegalArgumentException("origin: " + v.origin + " has a path, query or fragment (expected:"
                    + " scheme://host[:port], the origin's root, where the client asks for /directory and the signed paths)");
        }
        if (v.clientAddress != null) {
            LocalAnswers.address(v.clientAddress, "clientAddress");
        }
        positive(v.timeout, "timeout");
        positive(v.coolDown, "coolDown");
        positive(v.pollInterval, "pollInterval");
        positive(v.readTimeout, "readTimeout");
        if (v.maxEventBytes < 1024) {
            throw new IllegalArgumentException("maxEventBytes: " + v.maxEventBytes + " (expected: >= 1024)");
        }
        requireNonNull(v.policy, "policy");
        requireNonNull(v.clock, "clock");
        this.v = v;
    }

    /** The values of one set of options while it is made: a copy of another's with one changed. */
    private static final class Values implements Cloneable {
        URI origin;
        KeyPin pin;
        String clientAddress;
        Path stateFile;
        Duration timeout = Duration.ofSeconds(5);
        Duration coolDown = Duration.ofMinutes(5);
        Duration pollInterval = Duration.ofSeconds(60);
        Duration readTimeout = Duration.ofSeconds(30);
        int maxEventBytes = 64 << 20;
        SourcePolicy policy = SourcePolicy.costRanked();
        SSLContext sslContext;
        Clock clock = Clock.systemUTC();

        Values copy() {
            try {
                return (Values) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        /** Every setting in order, for equality, hashing and printing. */
        Object[] all() {
            return new Object[] {origin, pin, clientAddress, stateFile, timeout, coolDown, pollInterval, readTimeout,
                    maxEventBytes, policy, sslContext, clock};
        }
    }

    /**
     * {@return the defaults for an origin and its key: no client address, no state file, timeout 5 s,
     * cool-down 5 min, poll interval 60 s, read timeout 30 s, 64 MB the largest document,
     * {@link SourcePolicy#costRanked()}, the JDK's TLS trust, the system clock}
     *
     * @param origin the origin's base URL ({@code https://alto.example.net}); the directory is its {@code /directory}
     * @param pin    the origin's key, or its key id
     * @throws IllegalArgumentException for an origin that is not an absolute {@code http(s)} URL of a root (no path,
     *                                  query or fragment: the origin is asked at its root)
     */
    public static ClientOptions of(URI origin, KeyPin pin) {
        Values v = new Values();
        v.origin = origin;
        v.pin = pin;
        return new ClientOptions(v);
    }

    /** These options with {@code change} made to a copy of their values. */
    private ClientOptions with(Consumer<Values> change) {
        Values copy = v.copy();
        change.accept(copy);
        return new ClientOptions(copy);
    }

    /** {@return the origin's base URL ({@code https://alto.example.net}); the directory is its {@code /directory}} */
    public URI origin() {
        return v.origin;
    }

    /** {@return the origin's key, or its key id} */
    public KeyPin pin() {
        return v.pin;
    }

    /** {@return this client's own address (IP literal), to rank sources by network cost; null not to} */
    public String clientAddress() {
        return v.clientAddress;
    }

    /**
     * {@return where the newest version held per document is kept across restarts; null: memory only}
     * Clients may share one (records are merged under a lock on {@code NAME.lock} beside it).
     */
    public Path stateFile() {
        return v.stateFile;
    }

    /** {@return the timeout per request: connecting and receiving the whole response (default 5 s)} */
    public Duration timeout() {
        return v.timeout;
    }

    /**
     * {@return how long a source whose response failed verification, or whose update stream let a
     * map run late, is not asked (default 5 min; one that offered a rollback, 1 min or this if
     * shorter: see {@link SourceHealth})}
     */
    public Duration coolDown() {
        return v.coolDown;
    }

    /**
     * {@return how often maps are polled while no update stream can be had (default 60 s); also the
     * span over which a follower on the origin's stream moves to a proxy's once one can stream again
     * (see {@link UpdateFollower})}
     */
    public Duration pollInterval() {
        return v.pollInterval;
    }

    /**
     * {@return how long an update stream may be silent before it is taken for dead (default 30 s:
     * three heartbeats)} Keep it at about twice the upstream's heartbeat interval (the origin's and the proxies' streams
     * send one after 10 s of silence by default, {@code --heartbeat}, {@code push.heartbeat}): one
     * not above it takes live but quiet streams for dead (10 s against a 10 s heartbeat dropped a
     * stream every 22 s or so). It is not checked here, the upstream's heartbeat being unknown
     * until it is reached; a stream dropped for silence says so and names this setting. Also the
     * time a proxy's stream is given, from subscribing, before it is left for a map held within a
     * quarter of its validity of expiry (see {@link UpdateFollower}).
     */
    public Duration readTimeout() {
        return v.readTimeout;
    }

    /** {@return the largest document accepted: a response body, or an update stream event (default 64 MB)} */
    public int maxEventBytes() {
        return v.maxEventBytes;
    }

    /** {@return the order sources are tried in (default {@link SourcePolicy#costRanked()})} */
    public SourcePolicy policy() {
        return v.policy;
    }

    /** {@return the TLS trust for {@code https} sources, or null for the JDK's default} */
    public SSLContext sslContext() {
        return v.sslContext;
    }

    /** {@return the clock for signature validity and cool-downs (default the system clock)} */
    public Clock clock() {
        return v.clock;
    }

    /**
     * {@return a copy of these options with this client's own address changed}
     *
     * @param address this client's own address (IP literal), to rank sources by network cost; null not to
     */
    public ClientOptions withClientAddress(String address) {
        return with(v -> v.clientAddress = address);
    }

    /**
     * {@return a copy of these options with the state file changed}
     *
     * @param file where the newest version held per document is kept across restarts; null: memory only
     */
    public ClientOptions withStateFile(Path file) {
        return with(v -> v.stateFile = file);
    }

    /**
     * {@return a copy of these options with the request timeout changed}
     *
     * @param t per request: connecting and receiving the whole response; positive
     */
    public ClientOptions withTimeout(Duration t) {
        return with(v -> v.timeout = t);
    }

    /**
     * {@return a copy of these options with the cool-down changed}
     *
     * @param d how long a source that failed verification is not asked; positive
     */
    public ClientOptions withCoolDown(Duration d) {
        return with(v -> v.coolDown = d);
    }

    /**
     * {@return a copy of these options with the poll interval changed}
     *
     * @param d how often maps are polled while no update stream can be had; positive
     */
    public ClientOptions withPollInterval(Duration d) {
        return with(v -> v.pollInterval = d);
    }

    /**
     * {@return a copy of these options with the update stream's read timeout changed}
     *
     * @param d how long an update stream may be silent before it is taken for dead; positive (see {@link #readTimeout()})
     */
    public ClientOptions withReadTimeout(Duration d) {
        return with(v -> v.readTimeout = d);
    }

    /**
     * {@return a copy of these options with the largest document accepted changed}
     *
     * @param max the largest document accepted, as a response body or an update stream event; at least 1024
     */
    public ClientOptions withMaxEventBytes(int max) {
        return with(v -> v.maxEventBytes = max);
    }

    /**
     * {@return a copy of these options with the source policy changed}
     *
     * @param p the order sources are tried in
     */
    public ClientOptions withPolicy(SourcePolicy p) {
        return with(v -> v.policy = p);
    }

    /**
     * {@return a copy of these options with the TLS trust changed}
     *
     * @param context TLS trust for {@code https} sources, or null for the JDK's default
     */
    public ClientOptions withSslContext(SSLContext context) {
        return with(v -> v.sslContext = context);
    }

    /**
     * {@return a copy of these options with the clock changed}
     *
     * @param c time for signature validity and cool-downs
     */
    public ClientOptions withClock(Clock c) {
        return with(v -> v.clock = c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientOptions x && Arrays.equals(v.all(), x.v.all());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(v.all());
    }

    /** Every setting, by name. */
    @Override
    public String toString() {
        return "ClientOptions[origin=" + v.origin + ", pin=" + v.pin + ", clientAddress=" + v.clientAddress
                + ", stateFile=" + v.stateFile + ", timeout=" + v.timeout + ", coolDown=" + v.coolDown
                + ", pollInterval=" + v.pollInterval + ", readTimeout=" + v.readTimeout + ", maxEventBytes="
                + v.maxEventBytes + ", policy=" + v.policy + ", sslContext=" + v.sslContext + ", clock=" + v.clock + "]";
    }

    private static void positive(Duration d, String name) {
        if (requireNonNull(d, name).isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
