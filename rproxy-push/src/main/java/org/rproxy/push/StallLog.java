package org.rproxy.push;

import static java.util.Objects.requireNonNull;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

import org.rproxy.core.config.Durations;
import org.rproxy.core.log.RateLimitedLog;
import org.rproxy.core.server.StreamSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line an operator reads when a subscriber is disconnected for leaving its window full
 * ({@link Delivery#disconnectStalled}): who it was (the peer's address), which stream (its token,
 * which names the stream in the access log's control requests and is of no use once the stream
 * has ended), how long its window stayed full, the bytes it left unread, and what it followed.
 * The subscriber itself cannot be told: it reads nothing more, so an event would wait behind what
 * it left unread, which is dropped.
 *
 * <p>One line per {@link #INTERVAL} at most, the next saying how many were held back: a flood of
 * connections that subscribe and never read is disconnected one by one at the stall timeout, and
 * would otherwise write a line each; {@code rproxy_updates_disconnected_total} counts every one.
 * Timed by the publisher's clock. Confined to the publisher's thread.
 */
final class StallLog {

    /** At most one line this often. */
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** The document targets named in a line at most; the rest are counted. */
    static final int TARGETS_NAMED = 3;

    /** The logger the line has always had. */
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final String LINE = "update stream {} from {} disconnected: its buffer stayed full for {} (stall"
            + " timeout {}) with {} bytes unread; it followed {}";

    private final Duration stallTimeout;
    private final RateLimitedLog lines;

    /** @param nanoTime the publisher's clock */
    StallLog(Duration stallTimeout, LongSupplier nanoTime) {
        this.stallTimeout = requireNonNull(stallTimeout, "stallTimeout");
        this.lines = new RateLimitedLog(INTERVAL, nanoTime, 1);
    }

    /** {@code s}, stalled for {@code stalledNanos}, is being disconnected: says so, unless a line was written less than an interval ago. */
    void disconnected(Subscription s, long stalledNanos) {
        long heldBack = lines.admit(LOG, LINE, "stalled");
        if (heldBack < 0 || !LOG.isInfoEnabled()) {
            return;
        }
        StreamSink sink = s.sink();
        SocketAddress peer = sink == null ? null : sink.remoteAddress();
        Object[] args = {s.token, peer == null ? "an unknown address" : peer, seconds(stalledNanos),
                Durations.format(stallTimeout), sink == null ? 0 : sink.pendingBytes(), followed(s), heldBack};
        LOG.info(heldBack == 0 ? LINE : LINE + " ({} more disconnected so since the last such line)",
                heldBack == 0 ? Arrays.copyOf(args, args.length - 1) : args);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }

    /** Its substreams: their number, the documents they follow (the first few by name), and the queries. */
    static String followed(Subscription s) {
        Set<String> documents = new TreeSet<>();
        int queries = 0;
        for (Substream sub : s.substreams().values()) {
            if (sub.target.startsWith("/")) {
                documents.add(sub.target);
            } else {
                queries++;
            }
        }
        int n = s.substreams().size();
        StringBuilder b = new StringBuilder().append(n).append(n == 1 ? " substream" : " substreams");
        if (!documents.isEmpty()) {
            b.append(" of ").append(String.join(", ", documents.stream().limit(TARGETS_NAMED).toList()));
            if (documents.size() > TARGETS_NAMED) {
                b.append(" and ").append(documents.size() - TARGETS_NAMED).append(" more documents");
            }
        }
        if (queries > 0) {
            b.append(documents.isEmpty() ? " of " : ", ").append(queries).append(queries == 1 ? " query" : " queries");
        }
        return b.toString();
    }
}
