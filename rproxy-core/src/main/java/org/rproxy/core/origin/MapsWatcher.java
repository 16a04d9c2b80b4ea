package org.rproxy.core.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the maps folder and reloads it when a file changes, so that an edit becomes a new
 * signed version within a second (DESIGN.md §6). Changes are debounced (editors write a file in
 * several steps) by waiting for {@code quiet} without further events. A folder that no longer
 * loads is refused with one log line naming the file, field and reason, and the last good
 * version stays in service.
 *
 * <p>Runs on its own daemon thread; {@link #close()} stops it.
 */
final class MapsWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MapsWatcher.class);

    private final Path dir;
    private final Duration quiet;
    private final Consumer<MapSet> onChange;
    private final Consumer<String> onRefused;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param onChange  receives each folder state that loads and validates
     * @param onRefused receives the reason of each folder state that does not
     */
    MapsWatcher(Path dir, Duration quiet, Consumer<MapSet> onChange, Consumer<String> onRefused) throws IOException {
        this.dir = requireNonNull(dir, "dir");
        this.quiet = requireNonNull(quiet, "quiet");
        this.onChange = requireNonNull(onChange, "onChange");
        this.onRefused = requireNonNull(onRefused, "onRefused");
        this.watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::run, "rproxy-maps-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watch.take();
                drain(key);
                // Debounce: keep absorbing events until the folder has been quiet for a while.
                WatchKey more;
                while ((more = watch.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                reload();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    private void reload() {
        try {
            MapSet maps = MapsFolder.load(dir);
            onChange.accept(maps);
        } catch (MapsFolder.MapsFolderException e) {
            log.warn("maps folder change refused, the last good version stays: {}", e.getMessage());
            onRefused.accept(e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.error("maps folder reload failed, the last good version stays", e);
            onRefused.accept(String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException e) {
            log.debug("closing the watch service", e);
        }
        thread.interrupt();
    }
}
