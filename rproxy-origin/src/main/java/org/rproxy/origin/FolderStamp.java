package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import org.rproxy.core.config.IoProblems;

/**
 * What a maps folder holds at one moment: for each {@code *.json} file {@link MapsFolder#load}
 * reads, its size, modification time and file key (device and inode), and the key of the
 * directory itself. Taken before the folder is read and again after: a file rewritten in place
 * while it was read changes its time (and often its size), a file replaced by a rename changes
 * its key, a file added or removed changes the list, a folder swapped behind its name changes the
 * directory's key. A load whose two stamps differ read no state the folder ever held whole, and
 * is thrown away ({@link Changed}).
 *
 * <p>What the stamps cannot see: an in-place rewrite of the same size finished within the file
 * system's time granularity (a few milliseconds on Linux) of the write before it. The folder
 * watcher, which also throws a load away when it was told of a change during it, and which reads
 * only after the folder has been quiet, covers that.
 */
record FolderStamp(Object directory, Map<String, FileStamp> files) {

    /** One file's size, modification time and file key (null where the platform has none). */
    record FileStamp(long size, FileTime modified, Object key) {
    }

    FolderStamp {
        files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /**
     * The folder now; a file that goes while it is listed is left out.
     *
     * @throws MapsFolder.MapsFolderException naming a maps file whose attributes cannot be read
     */
    static FolderStamp of(Path dir) throws IOException {
        Object dirKey = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
        Map<String, FileStamp> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!isMapsFile(name)) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        files.put(name, new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey()));
                    }
                } catch (NoSuchFileException e) {
                    // gone (or a dangling link): not part of the folder
                } catch (FileSystemException e) {
                    // a link that loops, say: a file of the folder that cannot be read, named as one
                    throw new MapsFolder.MapsFolderException(p + ": cannot read: " + IoProblems.reason(e), e);
                }
            }
        }
        return new FolderStamp(dirKey, files);
    }

    /**
     * Whether a file named {@code name} is one a load reads: {@code *.json}, and not hidden (an
     * editor's lock or swap file, a copy tool's temporary file). What else the folder holds is no
     * part of it: the watch ignores it too ({@link FolderWatch}).
     */
    static boolean isMapsFile(String name) {
        return name.endsWith(".json") && !name.startsWith(".");
    }

    /**
     * Throws when the files stamped are more, or more bytes together, than {@code limits} allow:
     * a folder that large is not read at all (its documents would be held together, and signed).
     */
    void checkWithin(Path dir, MapsLimits limits) {
        if (files.size() > limits.maxDocuments()) {
            throw new MapsFolder.MapsFolderException(dir + ": " + files.size() + " maps files, over the limit of "
                    + limits.maxDocuments() + " (--max-maps-documents)");
        }
        long total = 0;
        for (FileStamp f : files.values()) {
            total += f.size();
        }
        if (total > limits.maxTotalBytes()) {
            throw new MapsFolder.MapsFolderException(dir + ": " + total + " bytes in " + files.size()
                    + " maps files, over the limit of " + limits.maxTotalBytes() + " bytes for a maps folder"
                    + " (--max-maps-total-size)");
        }
    }

    /** The names of the files stamped. */
    Set<String> names() {
        return files.keySet();
    }

    /** The files stamped, in {@code dir}, in file-name order. */
    List<Path> paths(Path dir) {
        List<Path> paths = new ArrayList<>();
        for (String name : files.keySet()) {
            paths.add(dir.resolve(name));
        }
        paths.sort(null);
        return paths;
    }

    /**
     * Throws {@link Changed} when {@code dir} no longer holds what this stamp saw.
     *
     * @param refusal what the load found wrong, if anything: kept as suppressed, since a file
     *                read while it changed may well not parse
     */
    void checkUnchanged(Path dir, Throwable refusal) throws IOException {
        FolderStamp now = of(dir);
        if (!now.equals(this)) {
            Changed e = new Changed(dir + ": changed while being read (" + differenceTo(now) + ")");
            if (refusal != null) {
                e.addSuppressed(refusal);
            }
            throw e;
        }
    }

    /** What changed from this stamp to {@code later}, the first few things, for the log. */
    String differenceTo(FolderStamp later) {
        List<String> what = new ArrayList<>();
        if (!Objects.equals(directory, later.directory)) {
            what.add("another directory is behind the name now");
        }
        for (Map.Entry<String, FileStamp> e : files.entrySet()) {
            FileStamp after = later.files.get(e.getKey());
            FileStamp before = e.getValue();
            if (after == null) {
                what.add(e.getKey() + " went");
            } else if (!Objects.equals(before.key(), after.key())) {
                what.add(e.getKey() + " was replaced");
            } else if (!after.equals(before)) {
                what.add(e.getKey() + " was written to");
            }
        }
        for (String name : later.files.keySet()) {
            if (!files.containsKey(name)) {
                what.add(name + " appeared");
            }
        }
        return what.size() <= 3 ? String.join(", ", what)
                : String.join(", ", what.subList(0, 3)) + " and " + (what.size() - 3) + " more";
    }

    /**
     * A maps folder that changed while it was read: what was read is no state the folder ever
     * held whole, and must not be served. Reading it again once it is quiet is the remedy.
     */
    static final class Changed extends IOException {
        private static final long serialVersionUID = 1L;

        Changed(String message) {
            super(message);
        }
    }
}
