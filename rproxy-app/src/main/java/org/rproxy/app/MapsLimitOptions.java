package org.rproxy.app;

import org.rproxy.core.config.ByteSize;
import org.rproxy.origin.MapsLimits;

import picocli.CommandLine.Option;

/**
 * The options of {@code rproxy origin} that limit one load of the maps ({@link MapsLimits}): how
 * many documents, how many bytes together, and how large a network map or endpoint properties
 * file (read whole into memory). Each left out is sized to the heap ({@link MapsLimits#defaults()}).
 */
final class MapsLimitOptions {

    @Option(names = "--max-maps-documents", paramLabel = "N",
            description = "The most maps files (with --maps) or maps the unsigned server lists (with --sign-upstream)"
                    + " one load reads; more stops the origin at start, and later is refused with the maps served"
                    + " kept (default " + MapsLimits.DEFAULT_MAX_DOCUMENTS + ").")
    Integer maxDocuments;

    @Option(names = "--max-maps-total-size", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "The most bytes all maps files, or all documents of one read of the unsigned server, may"
                    + " have together; more is refused as above (default: a quarter of the heap, -Xmx).")
    ByteSize maxTotal;

    @Option(names = "--max-network-map-size", paramLabel = "SIZE", converter = OptionConverters.SizeConverter.class,
            description = "The largest network map or endpoint properties file or document, which is read whole into"
                    + " memory (about 20 times its size; cost maps are streamed); larger is refused as above"
                    + " (default: 1/64 of the heap, -Xmx).")
    ByteSize maxNetworkMap;

    /** The limits given, each left out sized to the heap; a value below 1 is refused naming its option. */
    MapsLimits limits() {
        check("--max-maps-documents", maxDocuments == null ? null : maxDocuments.longValue());
        check("--max-maps-total-size", maxTotal == null ? null : maxTotal.bytes());
        check("--max-network-map-size", maxNetworkMap == null ? null : maxNetworkMap.bytes());
        return MapsLimits.defaults().with(maxNetworkMap == null ? null : maxNetworkMap.bytes(),
                maxTotal == null ? null : maxTotal.bytes(), maxDocuments);
    }

    private static void check(String option, Long value) {
        if (value != null && value < 1) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: >= 1)");
        }
    }
}
