package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch on the maps folder for {@link MapsWatcher}: files created, modified or deleted in the
 * directory its name names, of those a load reads ({@link FolderStamp#isMapsFile}); an event
 * about any other file (a generator's log, an editor's lock file) is taken and dropped, so that
 * one written to all the time neither keeps the folder from ever being quiet nor throws away
 * every load as changed while it ran. An overflow (events lost) counts as a change. A watch
 * follows a directory, not its name, so {@link #swapped()}
 * looks the name up again and moves the watch to a directory swapped in behind it (renamed
 * over, or a symbolic link swapped), and {@link #linksChanged()} polls the targets of maps files
 * that are links, which no event is about. Used by one thread at a time (the origin's, then the
 * watcher's, which it hands over to when the watcher starts); {@link #close()} from any.
 */
final class FolderWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MapsWatcher.class);

    private final Path dir;
    private final WatchService watch;
    /** The directory watched (its file key: device and inode), and its watch. */
    private Object watched;
    private WatchKey key;
    /** The maps files that are links, whose targets the watch cannot see. */
    private final LinkedFiles links;

    /** Starts watching {@code dir}: events from now on are kept until taken. */
    FolderWatch(Path dir) throws IOException {
        this.dir = dir;
        this.watch = FileSystems.getDefault().newWatchService();
        try {
            this.watched = directoryKey();
            this.key = register();
            this.links = new LinkedFiles(dir);
        } catch (IOException | RuntimeException e) {
            watch.close();
            throw e;
        }
    }

    private WatchKey register() throws IOException {
        return dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    /**
     * Waits at most {@code nanos} for an event about a maps file; true when one came (it and any
     * others then waiting are taken). Throws {@link java.nio.file.ClosedWatchServiceException}
     * once closed.
     */
    boolean await(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            WatchKey k = watch.poll(left, TimeUnit.NANOSECONDS);
            if (k == null) {
                return false;
            }
            if (take(k) | taken()) {
                return true;
            }
        }
        return false;
    }

    /** Takes the events waiting, without waiting; true when one was about a maps file. */
    boolean taken() {
        boolean any = false;
        WatchKey k;
        while ((k = watch.poll()) != null) {
            any |= take(k);
        }
        return any;
    }

    /** Takes {@code k}'s events; true when one was about a maps file, or some were lost. */
    private static boolean take(WatchKey k) {
        boolean any = false;
        for (WatchEvent<?> e : k.pollEvents()) {
            any |= e.kind() == StandardWatchEventKinds.OVERFLOW
                    || !(e.context() instanceof Path name) || FolderStamp.isMapsFile(name.toString());
        }
        k.reset();
        return any;
    }

    /**
     * True when a maps file that is a symbolic link has another target than at the last call, or
     * its target was written to ({@link LinkedFiles}: polled, since no event tells of it).
     */
    boolean linksChanged() {
        return links.changed();
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
    boolean swapped() {
        Object now = directoryKey();
        if (now == null || now.equals(watched)) {
            return false;
        }
        try {
            WatchKey k = register();
            key.cancel();
            key = k;
            watched = now;
            log.info("maps folder {} names another directory now (renamed over, or a link swapped); watching and"
                    + " loading that one", dir);
            return true;
        } catch (IOException e) {
            log.warn("maps folder {} names another directory now, which cannot be watched: {}", dir, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            log.debug("closing the watch service", e);
        }
    }
}
