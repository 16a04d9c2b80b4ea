package org.rproxy.origin;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.rproxy.core.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's first load of its maps folder, on the starting thread. A folder that changed while
 * it was read ({@link FolderStamp.Changed}: a deploy still writing, rsync of a large cost map, a
 * generator rewriting its output) is read again once the watch has told of no change for the
 * quiet period (nor has a link's target changed: {@link #awaitQuiet}), for as long as the start limit from the first read; a warning says so once per
 * distinct reason, not once per read. Past the limit the start is refused with
 * {@link FolderStamp.Changed} naming what changed in the last read and for how long it kept
 * changing. Giving up after a few quick reads instead (five, 150 ms apart: under a second) refused
 * to start an origin during any deploy that wrote for longer, and the service manager's restarts
 * met the same folder.
 */
final class FirstLoad {
    private static final Logger log = LoggerFactory.getLogger(MapsWatcher.class);

    private final Path dir;
    private final MapsWatcher.Loader loader;
    private final FolderWatch watch;
    private final Duration quiet;
    private final Duration limit;

    FirstLoad(Path dir, MapsWatcher.Loader loader, FolderWatch watch, Duration quiet, Duration limit) {
        this.dir = dir;
        this.loader = loader;
        this.watch = watch;
        this.quiet = quiet;
        this.limit = limit;
    }

    /** @throws MapsFolder.MapsFolderException when the folder does not validate */
    MapsFolder.Loaded load() throws IOException {
        long start = System.nanoTime();
        String logged = null;
        for (int reads = 1; ; reads++) {
            watch.taken(); // what the next load reads
            try {
                MapsFolder.Loaded loaded = loader.load(dir);
                if (reads > 1) {
                    log.info("maps folder {} held still and was read whole at read {}, {} after the first", dir, reads,
                            since(start));
                }
                return loaded;
            } catch (FolderStamp.Changed e) {
                if (System.nanoTime() - start >= limit.toNanos()) {
                    throw new FolderStamp.Changed(e.getMessage() + "; it kept changing for " + since(start) + " ("
                            + reads + " reads), so the origin does not start: finish or stop what writes to it, or"
                            + " deploy by swapping the folder whole");
                }
                if (!e.getMessage().equals(logged)) {
                    logged = e.getMessage();
                    log.warn("{}; reading it again once it has been quiet for {} (the origin waits up to {} for it to"
                            + " hold still)", e.getMessage(), Durations.format(quiet), Durations.format(limit));
                }
                awaitQuiet(start + limit.toNanos());
            }
        }
    }

    private static String since(long start) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return Durations.format(ms < 1000 ? Duration.ofMillis(ms) : Duration.ofSeconds(ms / 1000));
    }

    /**
     * Waits until the watch has told of no change for the quiet period, nor has the target of a
     * maps file that is a link changed in it ({@link FolderWatch#linksChanged}, polled once a
     * quiet period, as the watcher's debounce does later), or until {@code deadline} (nanoTime).
     * The folder's stamps follow links, so such a target written to throws the read away; with
     * the events alone, its writer (a deploy tool that links each file to its release) went
     * unseen, and the folder was read again after every quiet period while it wrote.
     */
    private void awaitQuiet(long deadline) throws InterruptedIOException {
        try {
            long left = deadline - System.nanoTime();
            while (left > 0 && (watch.await(Math.min(quiet.toNanos(), left)) || watch.linksChanged())) {
                left = deadline - System.nanoTime();
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while loading the maps folder " + dir);
        }
    }
}
