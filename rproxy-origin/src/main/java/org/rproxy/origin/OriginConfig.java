package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.rproxy.core.config.Durations;
import org.rproxy.core.model.Directory;
import org.rproxy.core.model.OverlayInfo;
import org.rproxy.core.query.QueryLimits;
import org.rproxy.core.server.FrontEndConfig;

/**
 * Settings of a file origin, read once at start.
 *
 * @param frontEnd      where and how to listen
 * @param maps          the maps folder, or null when the maps come from a {@link MapSource}
 * @param key           the PKCS#8 PEM private key the origin signs with
 * @param validity      how long a signature stays valid ({@code expires - created})
 * @param maxAge        {@code Cache-Control: max-age} for signed documents
 * @param proxies       URLs of known RProxies, published in the directory and the capability
 * @param instanceName  the XML capability's {@code instance-name}
 * @param publicUri     the URI this origin is reached at, for the capability's {@code alto-server}
 *                      (null: derived from the listen address)
 * @param deleteSettle  how long a maps file whose documents are served must stay deleted before
 *                      they are taken off the air (null: {@link #DEFAULT_DELETE_SETTLE})
 * @param queryLimits   how much work one query may ask for (null: {@link QueryLimits#DEFAULTS})
 * @param maxMapFileBytes the largest maps file read, at start and on a reload (null:
 *                      {@link MapsFolder#DEFAULT_MAX_FILE_BYTES})
 * @param overlay       the P2P overlay to name in the directory ({@code meta.alto-redist.overlay}), or null
 * @param mapsLimits    how many documents and bytes one load of the maps may read (null:
 *                      {@link MapsLimits#defaults()}, sized to the heap)
 * @param keysPoll      how often the {@code --key} file (a keys file, or a single key) is read again
 *                      for a rotation; a change is taken once it stays the same for a poll (null:
 *                      {@link #DEFAULT_KEYS_POLL})
 */
public record OriginConfig(FrontEndConfig frontEnd, Path maps, Path key, Duration validity, Duration maxAge,
                           List<String> proxies, String instanceName, String publicUri, Duration deleteSettle,
                           QueryLimits queryLimits, Long maxMapFileBytes, OverlayInfo overlay, MapsLimits mapsLimits,
                           Duration keysPoll) {

    /** Long enough for a deploy (or an operator) to delete a file and copy its successor in. */
    public static final Duration DEFAULT_DELETE_SETTLE = Duration.ofSeconds(30);
    /** Soon enough for an operator watching a rotation; the file is small, so reading it is cheap. */
    public static final Duration DEFAULT_KEYS_POLL = Duration.ofSeconds(1);
    /**
     * The keys poll's bounds: more often than ten times a second only costs reads (the change still
     * waits a poll), and past an hour a rotation's steps would take hours each.
     */
    public static final Duration MIN_KEYS_POLL = Duration.ofMillis(100);
    public static final Duration MAX_KEYS_POLL = Duration.ofHours(1);

    public OriginConfig {
        requireNonNull(frontEnd, "frontEnd");
        requireNonNull(key, "key");
        requireNonNull(validity, "validity");
        requireNonNull(maxAge, "maxAge");
        if (validity.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("validity: " + Durations.format(validity) + " (expected: >= 10s)");
        }
        if (maxAge.isNegative() || maxAge.compareTo(validity) > 0) {
            throw new IllegalArgumentException("max-age: " + Durations.format(maxAge) + " (expected: 0 to validity, "
                    + Durations.format(validity) + ")");
        }
        proxies = proxies == null ? List.of() : List.copyOf(proxies);
        for (int i = 0; i < proxies.size(); i++) {
            if (!Directory.isProxyUrl(proxies.get(i))) {
                throw new IllegalArgumentException("proxies[" + i + "]: " + proxies.get(i)
                        + " (expected: an absolute http or https URL; clients refuse a directory listing anything else)");
            }
        }
        if (instanceName == null || instanceName.isBlank()) {
            instanceName = "rproxy-origin";
        }
        if (deleteSettle == null) {
            deleteSettle = DEFAULT_DELETE_SETTLE;
        }
        if (deleteSettle.isNegative()) {
            throw new IllegalArgumentException("delete-settle: " + Durations.format(deleteSettle) + " (expected: >= 0)");
        }
        if (queryLimits == null) {
            queryLimits = QueryLimits.DEFAULTS;
        }
        if (maxMapFileBytes == null) {
            maxMapFileBytes = MapsFolder.DEFAULT_MAX_FILE_BYTES;
        }
        if (maxMapFileBytes < 1) {
            throw new IllegalArgumentException("maxMapFileBytes: " + maxMapFileBytes + " (expected: >= 1)");
        }
        if (mapsLimits == null) {
            mapsLimits = MapsLimits.defaults();
        }
        if (keysPoll == null) {
            keysPoll = DEFAULT_KEYS_POLL;
        }
        if (keysPoll.compareTo(MIN_KEYS_POLL) < 0 || keysPoll.compareTo(MAX_KEYS_POLL) > 0) {
            throw new IllegalArgumentException("keys-poll: " + Durations.format(keysPoll) + " (expected: "
                    + Durations.format(MIN_KEYS_POLL) + " to " + Durations.format(MAX_KEYS_POLL) + ")");
        }
    }

    /** Reading the keys file every {@link #DEFAULT_KEYS_POLL}. */
    public OriginConfig(FrontEndConfig frontEnd, Path maps, Path key, Duration validity, Duration maxAge,
                        List<String> proxies, String instanceName, String publicUri, Duration deleteSettle,
                        QueryLimits queryLimits, Long maxMapFileBytes, OverlayInfo overlay, MapsLimits mapsLimits) {
        this(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle, queryLimits,
                maxMapFileBytes, overlay, mapsLimits, null);
    }

    /** With the default maps limits. */
    public OriginConfig(FrontEndConfig frontEnd, Path maps, Path key, Duration validity, Duration maxAge,
                        List<String> proxies, String instanceName, String publicUri, Duration deleteSettle,
                        QueryLimits queryLimits, Long maxMapFileBytes, OverlayInfo overlay) {
        this(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle, queryLimits,
                maxMapFileBytes, overlay, null);
    }

    /** Naming no overlay. */
    public OriginConfig(FrontEndConfig frontEnd, Path maps, Path key, Duration validity, Duration maxAge,
                        List<String> proxies, String instanceName, String publicUri, Duration deleteSettle,
                        QueryLimits queryLimits, Long maxMapFileBytes) {
        this(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle, queryLimits,
                maxMapFileBytes, null);
    }

    /** With the default maps file size limit. */
    public OriginConfig(FrontEndConfig frontEnd, Path maps, Path key, Duration validity, Duration maxAge,
                        List<String> proxies, String instanceName, String publicUri, Duration deleteSettle,
                        QueryLimits queryLimits) {
        this(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle, queryLimits, null);
    }

    /** With the default deletion settle period and query limits. */
    public OriginConfig(FrontEndConfig frontEnd, Path maps, Path key, Duration validity, Duration maxAge,
                        List<String> proxies, String instanceName, String publicUri) {
        this(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, null, null, null);
    }

    public OriginConfig withDeleteSettle(Duration settle) {
        return new OriginConfig(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri,
                requireNonNull(settle, "settle"), queryLimits, maxMapFileBytes, overlay, mapsLimits, keysPoll);
    }

    public OriginConfig withQueryLimits(QueryLimits limits) {
        return new OriginConfig(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle,
                requireNonNull(limits, "limits"), maxMapFileBytes, overlay, mapsLimits, keysPoll);
    }

    public OriginConfig withMaxMapFileBytes(long max) {
        return new OriginConfig(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle,
                queryLimits, max, overlay, mapsLimits, keysPoll);
    }

    /** Naming {@code info} (null: none) in the directory. */
    public OriginConfig withOverlay(OverlayInfo info) {
        return new OriginConfig(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle,
                queryLimits, maxMapFileBytes, info, mapsLimits, keysPoll);
    }

    /** Loading the maps within {@code limits}. */
    public OriginConfig withMapsLimits(MapsLimits limits) {
        return new OriginConfig(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle,
                queryLimits, maxMapFileBytes, overlay, requireNonNull(limits, "limits"), keysPoll);
    }

    /** Reading the keys file every {@code poll} ({@link #MIN_KEYS_POLL} to {@link #MAX_KEYS_POLL}). */
    public OriginConfig withKeysPoll(Duration poll) {
        return new OriginConfig(frontEnd, maps, key, validity, maxAge, proxies, instanceName, publicUri, deleteSettle,
                queryLimits, maxMapFileBytes, overlay, mapsLimits, requireNonNull(poll, "poll"));
    }
}
