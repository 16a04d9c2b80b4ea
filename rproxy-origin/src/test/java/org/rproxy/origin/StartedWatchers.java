package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import org.rproxy.core.model.MapSet;

/** A {@link MapsWatcher} set up as the origin sets one up: watching, first load, then following. */
final class StartedWatchers {
    private StartedWatchers() {
    }

    static MapsWatcher started(Path dir, Duration quiet, Duration settle, Consumer<MapSet> onChange,
                               Consumer<String> onRefused) throws IOException {
        return started(dir, MapsFolder.DEFAULT_MAX_FILE_BYTES, quiet, settle, onChange, onRefused);
    }

    static MapsWatcher started(Path dir, long maxFileBytes, Duration quiet, Duration settle, Consumer<MapSet> onChange,
                               Consumer<String> onRefused) throws IOException {
        return started(dir, quiet, settle, MapsWatcher.loader(maxFileBytes), onChange, onRefused);
    }

    /** What a round of the watcher throws is logged; a fatal error does not end the test's JVM. */
    static MapsWatcher started(Path dir, Duration quiet, Duration settle, MapsWatcher.Loader loader,
                               Consumer<MapSet> onChange, Consumer<String> onRefused) throws IOException {
        return started(dir, quiet, settle, loader, onChange, onRefused, new TaskGuard((task, e) -> { }));
    }

    static MapsWatcher started(Path dir, Duration quiet, Duration settle, MapsWatcher.Loader loader,
                               Consumer<MapSet> onChange, Consumer<String> onRefused, TaskGuard guard)
            throws IOException {
        MapsWatcher w = new MapsWatcher(dir, quiet, settle, loader);
        try {
            w.loadFirst();
            w.start(onChange, onRefused, guard);
            return w;
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }
}
