package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * the air (how loudly each is logged: {@link DeletionLog}). A folder replaced whole (renamed over, or a symbolic link swapped to another release,
 * as deploy tools do) is noticed within {@value #SWAP_CHECK_SECONDS} s: the watch follows a
 * directory, not its name, so the name is looked up again that often, and a new directory
 * behind it is watched and loaded; a maps file that is a symbolic link is watched through the
 * link the same way, its target's size, time and file key looked at that often
 * ({@link LinkedFiles}), since the folder's watch sees only the link. A load that saw the
 * folder change under it (its files' stamps differ before and after, see {@link FolderStamp}, or
 * the watch reported a change while it ran) is thrown away and the folder read again once quiet, at most
 * {@value #MAX_UNSTEADY_LOADS} times in a row; then the last good version stays until the next
 * change, with a log line.
 *
 * <p>The watch is set before the first load ({@link #loadFirst}, which waits for a folder being
 * written to hold still: {@link FirstLoad}), so a file changed while the origin starts (during that load, or before the origin serves) is loaded as soon as the watcher
 * runs ({@link #start}); the deletion hold starts from the files that load read. Runs on its own
 * daemon thread; {@link #close()} stops it.
 */
final class MapsWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MapsWatcher.class);

    private final Path dir;
    private final Duration quiet;
    private final Duration settle;
    private final Duration startLimit;
    private final Loader loader;
    private final FolderWatch watch;
    /** How often the folder's name is looked up again, for a directory swapped in behind it. */
    static final long SWAP_CHECK_SECONDS = 2;
    /** How long the first load waits for a folder that keeps changing before the origin refuses to start. */
    static final Duration START_LIMIT = Duration.ofMinutes(1);
    /** Loads in a row that may find the folder changing under them before the watcher waits for the next change. */
    static final int MAX_UNSTEADY_LOADS = 5;
    /** {@link #reloadUnlessHeld} result: the folder changed while it was read; read it again once quiet. */
    private static final long READ_AGAIN = -1;
    /** Set by {@link #loadFirst} and {@link #start}, then the watcher thread's. */
    private DeletionHold deletions;
    private DeletionLog deletionLog;
    private Consumer<MapSet> onChange;
    private Consumer<String> onRefused;
    private TaskGuard guard;
    private Thread thread;
    private volatile boolean closed;
    /** How many loads in a row found the folder changing under them. Watcher thread only. */
    private int unsteadyLoads;
    /** The last folder state was refused, so the next that loads is said to (a fix restoring what is served publishes nothing). */
    private boolean refusedLast;

    /** Reads the folder: {@link MapsFolder#load(Path, long, MapsLimits, MapsFile.Opener)}, or a test's. */
    @FunctionalInterface
    interface Loader {
        MapsFolder.Loaded load(Path dir) throws IOException;
    }

    /**
     * Watches {@code dir} from now on; {@link #loadFirst}, then {@link #start}.
     *
     * @param quiet  how long the folder must be quiet after an event before it is read
     * @param settle how long a served file must stay deleted before its documents are dropped
     * @param loader reads the folder ({@link #loader})
     */
    MapsWatcher(Path dir, Duration quiet, Duration settle, Loader loader) throws IOException {
        this(dir, quiet, settle, loader, START_LIMIT);
    }

    /** As {@link #MapsWatcher(Path, Duration, Duration, Loader)}; {@code startLimit}: see {@link #loadFirst}. */
    MapsWatcher(Path dir, Duration quiet, Duration settle, Loader loader, Duration startLimit) throws IOException {
        this.dir = requireNonNull(dir, "dir");
        this.startLimit = requireNonNull(startLimit, "startLimit");
        this.quiet = requireNonNull(quiet, "quiet");
        this.settle = requireNonNull(settle, "settle");
        this.loader = requireNonNull(loader, "loader");
        if (!Files.isDirectory(dir)) {
            throw new MapsFolder.MapsFolderException(dir + ": not a folder");
        }
        this.watch = new FolderWatch(dir);
    }

    /** The folder read as {@link MapsFolder#load(Path, long)} reads it. */
    static Loader loader(long maxFileBytes) {
        return loader(maxFileBytes, MapsLimits.defaults());
    }

    /** The folder read as {@link MapsFolder#load(Path, long, MapsLimits)} reads it. */
    static Loader loader(long maxFileBytes, MapsLimits limits) {
        return d -> MapsFolder.load(d, maxFileBytes, limits, Files::newInputStream);
    }

    /**
     * The first load, on the caller's thread. A folder that changed while it was read (a deploy
     * still writing) is read again once it has been quiet for the quiet period, for as long as
     * {@code startLimit} from the first read; then this gives up with {@link FolderStamp.Changed}
     * naming what changed in the last read. The watch is set already, so a change made during or
     * after the load that succeeds is loaded once the watcher runs; the deletion hold starts from
     * the files it read.
     *
     * @throws MapsFolder.MapsFolderException when the folder does not validate
     */
    MapSet loadFirst() throws IOException {
        MapsFolder.Loaded loaded = new FirstLoad(dir, loader, watch, quiet, startLimit).load();
        deletions = new DeletionHold(loaded.stamp().names(), settle);
        deletionLog = new DeletionLog(dir, settle, loaded.stamp());
        return loaded.maps();
    }

    /**
     * Follows the folder from the state {@link #loadFirst} read: a change since (the events the
     * watch kept) is loaded at once.
     *
     * @param onChange  receives each folder state that loads and validates
     * @param onRefused receives the reason of each folder state that does not
     * @param guard     is told what a round of the watcher throws (the round after goes on)
     */
    void start(Consumer<MapSet> onChange, Consumer<String> onRefused, TaskGuard guard) {
        if (deletions == null || thread != null) {
            throw new IllegalStateException("start: after loadFirst, once");
        }
        this.onChange = requireNonNull(onChange, "onChange");
        requireNonNull(onRefused, "onRefused");
        this.onRefused = reason -> {
            refusedLast = true;
            onRefused.accept(reason);
        };
        this.guard = requireNonNull(guard, "guard");
        thread = new Thread(this::run, "rproxy-maps-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            long wait = 0;
            boolean again = false;
            while (!closed) {
                if (!again) {
                    awaitChange(wait);
                }
                // Debounce: keep absorbing events until the folder has been quiet for a while.
                while (watch.await(quiet.toNanos()) || watch.linksChanged()) {
                    // absorbed
                }
                try {
                    wait = reloadUnlessHeld();
                } catch (ClosedWatchServiceException e) {
                    throw e;
                } catch (RuntimeException | Error e) { // what a load or its hand-over threw: the last good version stays
                    if (closed) {
                        return;
                    }
                    guard.failed("reading the maps folder", e);
                    wait = 0;
                }
                again = wait == READ_AGAIN;
                wait = Math.max(wait, 0);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /**
     * Waits for an event, a directory swapped in, or the target of a maps file that is a link
     * changed (looked at as often as the swap); with {@code wait} > 0 (a deletion held), at
     * most that many nanoseconds.
     */
    private void awaitChange(long wait) throws InterruptedException {
        long due = System.nanoTime() + wait;
        while (!closed) {
            long step = TimeUnit.SECONDS.toNanos(SWAP_CHECK_SECONDS);
            if (wait > 0) {
                long left = due - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                step = Math.min(step, left);
            }
            if (watch.await(step) || watch.swapped() || watch.linksChanged()) {
                return;
            }
        }
    }

    /**
     * Loads the folder unless a deletion is held; returns how long to wait at most before looking
     * again (0: no limit), or {@link #READ_AGAIN}.
     */
    private long reloadUnlessHeld() {
        FolderStamp seen;
        try {
            seen = FolderStamp.of(dir);
        } catch (IOException e) {
            log.warn("cannot list the maps folder {}, the last good version stays: {}", dir, e.toString());
            return 0;
        } catch (MapsFolder.MapsFolderException e) {
            log.warn("maps folder change refused, the last good version stays: {}", e.getMessage());
            onRefused.accept(e.getMessage());
            return 0;
        }
        DeletionHold.Decision d = deletions.check(seen.names(), System.nanoTime());
        deletionLog.checked(d);
        if (!d.reload()) {
            return d.waitNanos();
        }
        FolderStamp loaded;
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
            deletionLog.loaded(d.dropped(), loaded);
            deletions.loaded(loaded.names());
            if (refusedLast) {
                refusedLast = false;
                log.info("maps folder {} reads again after the change refused; what differs from the version served"
                        + " is published, and nothing when it is the same", dir);
            }
        } else {
            deletionLog.refused(seen);
            deletions.refused();
        }
        return 0;
    }

    /**
     * Loads the folder and hands on the maps; returns the stamp of the files loaded, or null when
     * the folder was refused.
     *
     * @throws FolderStamp.Changed when the folder changed while it was read (nothing handed on)
     */
    private FolderStamp reload() throws FolderStamp.Changed {
        MapsFolder.Loaded loaded;
        try {
            loaded = loader.load(dir);
        } catch (FolderStamp.Changed e) {
            throw e;
        } catch (MapsFolder.MapsFolderException e) {
            log.warn("maps folder change refused, the last good version stays: {}", e.getMessage());
            onRefused.accept(e.getMessage());
            return null;
        } catch (IOException | RuntimeException e) {
            log.error("maps folder reload failed, the last good version stays", e);
            onRefused.accept(String.valueOf(e.getMessage()));
            return null;
        }
        if (watch.taken()) {
            throw new FolderStamp.Changed(dir + ": changed while being read (the watch reported a change meanwhile)");
        }
        onChange.accept(loaded.maps());
        return loaded.stamp();
    }

    @Override
    public void close() {
        closed = true;
        watch.close();
        if (thread != null) {
            thread.interrupt();
        }
    }
}
