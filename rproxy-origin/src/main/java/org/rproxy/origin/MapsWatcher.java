package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.rproxy.core.config.Durations;
import org.rproxy.core.model.MapSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the maps folder and reloads it when a file changes, so that an edit becomes a new
 * signed version within a second. Changes are debounced (editors write a file in
 * several steps) by waiting for {@code quiet} without further events. A folder that no longer
 * loads is refused with one log line naming the file, field and reason, and the last good
 * version stays in service. A file whose documents are served and that goes away is held for
 * a settle period first ({@link DeletionHold}): logged by name when found missing, dropped only
 * when still missing after the period, so a delete-then-copy deploy never takes a resource off
 * the air. A folder replaced whole (renamed over, or a symbolic link swapped to another release,
 * as deploy tools do) is noticed within {@value #SWAP_CHECK_SECONDS} s: the watch follows a
 * directory, not its name, so the name is looked up again that often, and a new directory
 * behind it is watched and loaded. A load that saw the folder change under it (its files'
 * stamps differ before and after, see {@link FolderStamp}, or the watch reported a change while
 * it ran) is thrown away and the folder read again once quiet, at most
 * {@value #MAX_UNSTEADY_LOADS} times in a row; then the last good version stays until the next
 * change, with a log line.
 *
 * <p>Runs on its own daemon thread; {@link #close()} stops it.
 */
final class MapsWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MapsWatcher.class);

    private final Path dir;
    private final Duration quiet;
    private final Consumer<MapSet> onChange;
    private final Consumer<String> onRefused;
    private final Duration settle;
    private final Loader loader;
    private final DeletionHold deletions;
    private final WatchService watch;
    private final Thread thread;
    /** How often the folder's name is looked up again, for a directory swapped in behind it. */
    static final long SWAP_CHECK_SECONDS = 2;
    /** The directory watched (its file key: device and inode), and its watch. Watcher thread only, after the constructor. */
    private Object watched;
    private WatchKey watchKey;
    private volatile boolean closed;
    /** How many loads in a row found the folder changing under them. Watcher thread only. */
    private int unsteadyLoads;

    /** Loads in a row that may find the folder changing under them before the watcher waits for the next change. */
    static final int MAX_UNSTEADY_LOADS = 5;
    /** {@link #reloadUnlessHeld} result: the folder changed while it was read; read it again once quiet. */
    private static final long READ_AGAIN = -1;

    /** Reads the folder: {@link MapsFolder#load(Path, long, MapsFile.Opener)}, or a test's. */
    @FunctionalInterface
    interface Loader {
        MapsFolder.Loaded load(Path dir) throws IOException;
    }

    /**
     * @param quiet     how long the folder must be quiet after an event before it is read
     * @param settle    how long a served file must stay deleted before its documents are dropped
     * @param onChange  receives each folder state that loads and validates
     * @param onRefused receives the reason of each folder state that does not
     */
    MapsWatcher(Path dir, Duration quiet, Duration settle, Consumer<MapSet> onChange, Consumer<String> onRefused)
            throws IOException {
        this(dir, MapsFolder.DEFAULT_MAX_FILE_BYTES, quiet, settle, onChange, onRefused);
    }

    /** @param maxFileBytes a file larger than this is refused (the last good version stays) */
    MapsWatcher(Path dir, long maxFileBytes, Duration quiet, Duration settle, Consumer<MapSet> onChange,
                Consumer<String> onRefused) throws IOException {
        this(dir, quiet, settle, d -> MapsFolder.load(d, maxFileBytes, Files::newInputStream), onChange, onRefused);
    }

    /** @param loader reads the folder */
    MapsWatcher(Path dir, Duration quiet, Duration settle, Loader loader, Consumer<MapSet> onChange,
                Consumer<String> onRefused) throws IOException {
        this.dir = requireNonNull(dir, "dir");
        this.loader = requireNonNull(loader, "loader");
        this.quiet = requireNonNull(quiet, "quiet");
        this.settle = requireNonNull(settle, "settle");
        this.onChange = requireNonNull(onChange, "onChange");
        this.onRefused = requireNonNull(onRefused, "onRefused");
        this.deletions = new DeletionHold(FolderStamp.of(dir).names(), settle);
        this.watch = FileSystems.getDefault().newWatchService();
        this.watched = directoryKey();
        this.watchKey = register();
        this.thread = new Thread(this::run, "rproxy-maps-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private WatchKey register() throws IOException {
        return dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    /** The directory {@code dir} names now (links followed), or null when it names none. */
    private Object directoryKey() {
        try {
            return Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** True when {@code dir} names another directory than the one watched; that one is watched from now on. */
    private boolean swapped() {
        Object now = directoryKey();
        if (now == null || now.equals(watched)) {
            return false;
        }
        try {
            WatchKey k = register();
            watchKey.cancel();
            watchKey = k;
            watched = now;
            log.info("maps folder {} names another directory now (renamed over, or a link swapped); watching and"
                    + " loading that one", dir);
            return true;
        } catch (IOException e) {
            log.warn("maps folder {} names another directory now, which cannot be watched: {}", dir, e.toString());
            return false;
        }
    }

    private void run() {
        try {
            long wait = 0;
            boolean again = false;
            while (!closed) {
                if (!again) {
                    WatchKey key = awaitChange(wait);
                    if (key != null) {
                        drain(key);
                    }
                }
                // Debounce: keep absorbing events until the folder has been quiet for a while.
                WatchKey more;
                while ((more = watch.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                wait = reloadUnlessHeld();
                again = wait == READ_AGAIN;
                wait = Math.max(wait, 0);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /**
     * Waits for an event, or a directory swapped in; with {@code wait} > 0 (a deletion held), at
     * most that many nanoseconds. Returns the event's key, or null.
     */
    private WatchKey awaitChange(long wait) throws InterruptedException {
        long due = System.nanoTime() + wait;
        while (!closed) {
            long step = TimeUnit.SECONDS.toNanos(SWAP_CHECK_SECONDS);
            if (wait > 0) {
                long left = due - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                step = Math.min(step, left);
            }
            WatchKey key = watch.poll(step, TimeUnit.NANOSECONDS);
            if (key != null || swapped()) {
                return key;
            }
        }
        return null;
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /**
     * Loads the folder unless a deletion is held; returns how long to wait at most before looking
     * again (0: no limit), or {@link #READ_AGAIN}.
     */
    private long reloadUnlessHeld() {
        Set<String> present;
        try {
            present = FolderStamp.of(dir).names();
        } catch (IOException e) {
            log.warn("cannot list the maps folder {}, the last good version stays: {}", dir, e.toString());
            return 0;
        }
        DeletionHold.Decision d = deletions.check(present, System.nanoTime());
        for (String name : d.gone()) {
            log.warn("maps file {} was deleted; its documents stay in service for {} unless it is still missing then"
                    + " (other changes to the folder wait as long)", dir.resolve(name), Durations.format(settle));
        }
        for (String name : d.back()) {
            log.info("maps file {} is back; nothing was taken off the air", dir.resolve(name));
        }
        if (!d.reload()) {
            return d.waitNanos();
        }
        Set<String> loaded;
        try {
            loaded = reload();
        } catch (FolderStamp.Changed e) {
            if (++unsteadyLoads < MAX_UNSTEADY_LOADS) {
                log.info("{}; reading it again once it has been quiet for {}", e.getMessage(), Durations.format(quiet));
                return READ_AGAIN;
            }
            log.warn("{}; {} reads in a row found it changing, so the last good version stays and the folder is read"
                    + " again at its next change", e.getMessage(), unsteadyLoads);
            onRefused.accept(e.getMessage());
            loaded = null;
        }
        unsteadyLoads = 0;
        if (loaded != null) {
            for (String name : d.dropped()) {
                log.warn("maps file {} has stayed deleted for {}: the documents it held are no longer served",
                        dir.resolve(name), Durations.format(settle));
            }
            deletions.loaded(loaded);
        } else {
            deletions.refused();
        }
        return 0;
    }

    /**
     * Loads the folder and hands on the maps; returns the names of the files loaded, or null when
     * the folder was refused.
     *
     * @throws FolderStamp.Changed when the folder changed while it was read (nothing handed on)
     */
    private Set<String> reload() throws FolderStamp.Changed {
        try {
            MapsFolder.Loaded loaded = loader.load(dir);
            WatchKey during = watch.poll();
            if (during != null) {
                drain(during);
                throw new FolderStamp.Changed(dir + ": changed while being read (the watch reported a change meanwhile)");
            }
            onChange.accept(loaded.maps());
            return loaded.stamp().names();
        } catch (FolderStamp.Changed e) {
            throw e;
        } catch (MapsFolder.MapsFolderException e) {
            log.warn("maps folder change refused, the last good version stays: {}", e.getMessage());
            onRefused.accept(e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.error("maps folder reload failed, the last good version stays", e);
            onRefused.accept(String.valueOf(e.getMessage()));
        }
        return null;
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
