package org.rproxy.app;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.rproxy.core.config.Address;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.ListenConfig;
import org.rproxy.core.config.ListenLimits;
import org.rproxy.core.config.TlsConfig;
import org.rproxy.core.server.FrontEndConfig;

import picocli.CommandLine.Option;

/**
 * The options of {@code rproxy origin} and {@code rproxy proxy} that bound what a node's front end
 * takes on: connections (in all and from one client address), a request's body, HTTP/2 requests still arriving over all connections,
 * large answers waiting for their clients, HTTP/2 streams per connection, answers held for
 * HTTP/2 streams over all connections, and how long a stop waits for the answers in progress.
 * One definition for
 * both commands, so that an option means the same on each and is checked against the same bounds
 * ({@link ListenLimits}, those of the proxy file's {@code listen} keys). One left out is the
 * default, or at a proxy what its file says.
 */
final class ListenLimitOptions {

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Client connections served at once, update streams included (listen.max-connections in a"
                    + " proxy's file; default 10000).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            description = "Client connections served at once from one address (an IPv6 client's /64), update streams"
                    + " included (listen.max-connections-per-address in a proxy's file; default: no such limit, 1 to"
                    + " --max-connections); one more gets 503. Many viewers may share one address behind carrier-grade NAT.")
    Integer maxConnectionsPerAddress;

    @Option(names = "--max-request-body", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "Largest request body accepted, e.g. a query's JSON (listen.max-request-body in a proxy's"
                    + " file; default 1MB, 1KB to 1GB); larger is answered 413.")
    ByteSize maxRequestBody;

    @Option(names = "--max-unfinished-streams", paramLabel = "N",
            description = "HTTP/2 streams whose request has not ended yet, over all connections (listen.max-unfinished-"
                    + "streams in a proxy's file; default 10000); one more is refused with REFUSED_STREAM, which a client"
                    + " may retry.")
    Integer maxUnfinishedStreams;

    @Option(names = "--max-pending-answer-bytes", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "Bytes of large answers copied per response (over TLS, computed) handed to all connections and not"
                    + " yet taken by their sockets, beyond which an answer waits its turn (listen.max-pending-answer-bytes"
                    + " in a proxy's file; default: a quarter of -XX:MaxDirectMemorySize, at least 64KB).")
    ByteSize maxPendingAnswerBytes;

    @Option(names = "--max-concurrent-streams", paramLabel = "N", description = "HTTP/2 streams a client may have open"
            + " at once on one connection (listen.max-concurrent-streams in a proxy's file; default 1000, 1 to 100000).")
    Integer maxConcurrentStreams;

    @Option(names = "--max-answers-held", paramLabel = "N", description = "HTTP/2 streams of all connections whose answer"
            + " is being made or not yet all sent, beyond which a stream waits its turn (listen.max-answers-held in a"
            + " proxy's file; default: a quarter of the heap in 64KB answers, at least 32; 4 to 10000000).")
    Integer maxAnswersHeld;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a stop waits for the answers in progress before it cuts their connections"
                    + " (listen.drain-timeout in a proxy's file; default 5s, 100ms to 10m).")
    Duration drainTimeout;

    /**
     * {@code frontEnd} (the origin's) with the limits given applied, each checked against the
     * bound its config key has, a refusal naming the option. Each refusal is kept in {@code
     * problems} and that limit left as it was, so that the others are still checked: an operator
     * sees every limit refused at once ({@link OptionProblems}).
     */
    FrontEndConfig applyTo(FrontEndConfig frontEnd, OptionProblems problems) {
        FrontEndConfig f = frontEnd;
        if (maxConnections != null) {
            f = problems.apply(f, x -> {
                if (maxConnections < 1 || maxConnections > FrontEndConfig.MAX_CONNECTIONS) {
                    throw new IllegalArgumentException("--max-connections: " + maxConnections + " (expected: 1 to "
                            + FrontEndConfig.MAX_CONNECTIONS + ")");
                }
                return x.withMaxConnections(maxConnections);
            });
        }
        if (maxConnectionsPerAddress != null) {
            f = problems.apply(f, x -> x.withMaxConnectionsPerAddress(option(() -> ListenLimits.checkedWithinConnections(
                    ListenLimits.checkedConnectionsPerAddress(maxConnectionsPerAddress), x.maxConnections(), "--max-connections"))));
        }
        if (maxRequestBody != null) {
            f = problems.apply(f, x ->
                    x.withMaxBodyBytes((int) option(() -> ListenLimits.checkedRequestBody(maxRequestBody)).bytes()));
        }
        if (maxUnfinishedStreams != null) {
            f = problems.apply(f, x ->
                    x.withMaxUnfinishedStreams(option(() -> ListenLimits.checkedUnfinishedStreams(maxUnfinishedStreams))));
        }
        if (maxPendingAnswerBytes != null) {
            f = problems.apply(f, x ->
                    x.withMaxPendingSendBytes(option(() -> ListenLimits.checkedPendingAnswerBytes(maxPendingAnswerBytes))));
        }
        if (maxConcurrentStreams != null) {
            f = problems.apply(f, x ->
                    x.withMaxStreams(option(() -> ListenLimits.checkedConcurrentStreams(maxConcurrentStreams))));
        }
        if (maxAnswersHeld != null) {
            f = problems.apply(f, x -> x.withMaxAnswersHeld(option(() -> ListenLimits.checkedAnswersHeld(maxAnswersHeld))));
        }
        if (drainTimeout != null) {
            f = problems.apply(f, x -> x.withDrainTimeout(option(() -> ListenLimits.checkedDrainTimeout(drainTimeout))));
        }
        return f;
    }

    /**
     * A proxy's listen settings: {@code file}'s limits with those given on top, at {@code address}
     * with {@code tls} and {@code sendBuffer}; checked by {@link ListenConfig}, whose refusal names
     * the key (which {@link ProxySources} names as the option given).
     */
    ListenConfig over(ListenConfig file, Address address, TlsConfig tls, ByteSize sendBuffer) {
        return new ListenConfig(address, tls, or(maxConnections, file.maxConnections()), sendBuffer,
                or(maxRequestBody, file.maxRequestBody()), or(maxUnfinishedStreams, file.maxUnfinishedStreams()),
                or(maxPendingAnswerBytes, file.maxPendingAnswerBytes()), or(maxConcurrentStreams, file.maxConcurrentStreams()),
                or(maxAnswersHeld, file.maxAnswersHeld()), or(maxConnectionsPerAddress, file.maxConnectionsPerAddress()),
                or(drainTimeout, file.drainTimeout()));
    }

    /** The proxy file's key of each limit given, with its option. */
    Map<String, String> given() {
        Map<String, String> given = new LinkedHashMap<>();
        given(given, maxConnections, "max-connections");
        given(given, maxConnectionsPerAddress, "max-connections-per-address");
        given(given, maxRequestBody, "max-request-body");
        given(given, maxUnfinishedStreams, "max-unfinished-streams");
        given(given, maxPendingAnswerBytes, "max-pending-answer-bytes");
        given(given, maxConcurrentStreams, "max-concurrent-streams");
        given(given, maxAnswersHeld, "max-answers-held");
        given(given, drainTimeout, "drain-timeout");
        return given;
    }

    private static void given(Map<String, String> given, Object value, String name) {
        if (value != null) {
            given.put("listen." + name, "--" + name);
        }
    }

    private static <T> T or(T given, T otherwise) {
        return given != null ? given : otherwise;
    }

    /** What {@code check} returns; its refusal ({@code "key: reason"}) as the option's ({@code "--key: reason"}). */
    static <T> T option(Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage(), e);
        }
    }
}
