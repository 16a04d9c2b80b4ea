package org.rproxy.origin;

import java.io.IOException;

import org.rproxy.core.model.MapSet;

/**
 * Where an origin's maps come from when they are not a folder: the signing front reads them from
 * an existing, unsigned RFC 7285 server. Called at start on the thread starting the origin, then
 * on the reload schedule on the origin's reader thread ({@link SourcePolls}), never on its
 * publisher, which re-signs; may block (it does network I/O), and should bound how long.
 */
@FunctionalInterface
public interface MapSource {

    /**
     * The current, validated maps.
     *
     * @throws IOException when they cannot be read now; the origin keeps serving the previous ones
     */
    MapSet load() throws IOException;
}
