package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.rproxy.core.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the maps folder's watcher logs of files deleted from the folder ({@link DeletionHold}).
 * A file found missing, and one back, are INFO: nothing is off the air yet. When a deletion has
 * settled and the folder loaded without the file, whether anyone must hear of it depends on what
 * else changed while the deletion was held. The deletion alone is an operator's {@code rm}, taken
 * as meant: INFO. Other files written, replaced or added meanwhile mean a deploy ran and did not
 * put the file back, which is what a deploy that lost a file looks like: WARN, naming those
 * files. Either way the folder was consistent without it: a file that others in the folder rely
 * on (the network map of a cost map left) cannot be dropped, the load is refused with a warning
 * of its own and the last good version stays. Every deliberate deletion was a WARN, twice.
 * "Meanwhile" runs from the folder's last reading, loaded or refused: a change refused before the
 * deletion (a network map the cost map then deleted no longer fits) was heard already, and once
 * taken as changed in the same time it made the {@code rm} that cured it a WARN.
 *
 * <p>Not thread-safe: the watcher's thread alone uses it.
 */
final class DeletionLog {
    /** The watcher's logger: the folder's life is its news. */
    private static final Logger log = LoggerFactory.getLogger(MapsWatcher.class);

    private final Path dir;
    private final Duration settle;
    /** The folder as last read, loaded or refused: what a settled deletion is compared with. */
    private FolderStamp served;

    /**
     * @param dir    the maps folder
     * @param settle how long a deletion is held ({@link DeletionHold})
     * @param served the folder as the first load read it
     */
    DeletionLog(Path dir, Duration settle, FolderStamp served) {
        this.dir = requireNonNull(dir, "dir");
        this.settle = requireNonNull(settle, "settle");
        this.served = requireNonNull(served, "served");
    }

    /** The files {@code d} found missing for the first time, and those back. */
    void checked(DeletionHold.Decision d) {
        for (String name : d.gone()) {
            log.info("maps file {} was deleted; its documents stay in service for {} unless it is still missing then"
                    + " (other changes to the folder wait as long)", dir.resolve(name), Durations.format(settle));
        }
        for (String name : d.back()) {
            log.info("maps file {} is back; nothing was taken off the air", dir.resolve(name));
        }
    }

    /** The folder as {@code seen} just before a reading of it that was refused: the last good version stays. */
    void refused(FolderStamp seen) {
        served = requireNonNull(seen, "seen");
    }

    /** The folder loaded as {@code now}, without the files in {@code dropped}, whose deletions settled. */
    void loaded(List<String> dropped, FolderStamp now) {
        List<String> changed = now.files().entrySet().stream()
                .filter(f -> !f.getValue().equals(served.files().get(f.getKey()))).map(Map.Entry::getKey).toList();
        served = now;
        for (String name : dropped) {
            if (changed.isEmpty()) {
                log.info("maps file {} has stayed deleted for {}: the documents it held are no longer served (the"
                        + " folder's only change, so taken as meant)", dir.resolve(name), Durations.format(settle));
            } else {
                log.warn("maps file {} has stayed deleted for {}: the documents it held are no longer served, while {}"
                        + " changed in the same time (a deploy that did not put it back?)", dir.resolve(name),
                        Durations.format(settle), changed);
            }
        }
    }
}
