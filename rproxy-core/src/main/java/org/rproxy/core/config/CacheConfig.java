package org.rproxy.core.config;

import static org.rproxy.core.config.ConfigChecks.atLeast;
import static org.rproxy.core.config.ConfigChecks.orDefault;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The store's bound, where it keeps large bodies for sendfile, and how a pull proxy remembers the
 * upstream's "no such resource".
 *
 * @param maxBytes        bytes of representations held at most, bodies and headers (default 256MB, at
 *                        least 1MB: below it not even the directory and a map stay held, and a proxy
 *                        that cannot hold what its readiness waits for never becomes ready)
 * @param notFoundFor     how long a GET answered {@code 404}/{@code 410} by the upstream is
 *                        answered so without asking again (default 5s; 0 turns it off; at most
 *                        1m, since a resource published meanwhile stays hidden for that long)
 * @param notFoundEntries how many such paths are remembered at most (default 10000)
 * @param spool           whether bodies of {@code spoolMinBytes} or more are kept as files and sent
 *                        with sendfile on plain HTTP/1.1 connections (default true)
 * @param spoolDir        where those files go, in a directory of their own; null:
 *                        {@code java.io.tmpdir}. A file system on disk is cheaper to send from than
 *                        a tmpfs without huge pages (its page cache holds large folios). Refused at
 *                        start when not a writable directory
 * @param spoolMinBytes   the smallest body spooled (default {@link #DEFAULT_SPOOL_MIN_BYTES}, at
 *                        least 16KB); smaller bodies are written from their direct copy. Up to
 *                        about 1.3 MB that cost the proxy no more CPU per response than sendfile
 *                        on this project's loopback benchmark and the client less than half (a
 *                        spliced body is dearer to receive); from about 5 MB sendfile costs the
 *                        proxy a third less, so large cost maps stay spooled
 */
public record CacheConfig(ByteSize maxBytes, Duration notFoundFor, Integer notFoundEntries, Boolean spool,
                          Path spoolDir, ByteSize spoolMinBytes) {
    private static final Duration MAX_NOT_FOUND_FOR = Duration.ofMinutes(1);
    /** The smallest max-bytes. */
    public static final long MIN_MAX_BYTES = 1L << 20;
    /** The smallest spool-min-bytes: below it a body's direct copy is what the store's weigher counts. */
    public static final long MIN_SPOOL_MIN_BYTES = 16 * 1024;
    /**
     * The default spool-min-bytes, 1MB: from there {@code sendfile} cost the proxy half the CPU per
     * response of a copy from memory on a day when copies were dear, and never more (see
     * {@code bench/HISTORY.md}, sessions 23 and 29).
     */
    public static final ByteSize DEFAULT_SPOOL_MIN_BYTES = ByteSize.ofMegabytes(1);

    public CacheConfig {
        maxBytes = orDefault(maxBytes, ByteSize.ofMegabytes(256));
        if (maxBytes.bytes() < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("max-bytes: " + maxBytes + " (expected: >= "
                    + ByteSize.ofBytes(MIN_MAX_BYTES) + ")");
        }
        notFoundFor = orDefault(notFoundFor, Duration.ofSeconds(5));
        if (notFoundFor.isNegative() || notFoundFor.compareTo(MAX_NOT_FOUND_FOR) > 0) {
            throw new IllegalArgumentException("not-found-for: " + Durations.format(notFoundFor)
                    + " (expected: 0 to " + Durations.format(MAX_NOT_FOUND_FOR) + ")");
        }
        notFoundEntries = atLeast(notFoundEntries, 10_000, 1, "not-found-entries");
        spool = orDefault(spool, Boolean.TRUE);
        spoolMinBytes = orDefault(spoolMinBytes, DEFAULT_SPOOL_MIN_BYTES);
        if (spoolMinBytes.bytes() < MIN_SPOOL_MIN_BYTES) {
            throw new IllegalArgumentException("spool-min-bytes: " + spoolMinBytes + " (expected: >= 16KB)");
        }
    }

    public CacheConfig(ByteSize maxBytes, Duration notFoundFor, Integer notFoundEntries) {
        this(maxBytes, notFoundFor, notFoundEntries, null, null, null);
    }

    public CacheConfig(ByteSize maxBytes) {
        this(maxBytes, null, null);
    }

    /** The same with another bound (the {@code rproxy proxy --max-bytes} option). */
    public CacheConfig withMaxBytes(ByteSize bytes) {
        return new CacheConfig(bytes, notFoundFor, notFoundEntries, spool, spoolDir, spoolMinBytes);
    }

    /** The same with spooling as given (the {@code rproxy proxy} options). */
    public CacheConfig withSpool(boolean on, Path dir) {
        return new CacheConfig(maxBytes, notFoundFor, notFoundEntries, on, dir, spoolMinBytes);
    }
}
