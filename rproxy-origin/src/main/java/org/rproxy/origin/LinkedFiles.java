package org.rproxy.origin;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The maps files that are symbolic links (a folder whose files are linked one by one to where a
 * generator writes them), looked at by polling, since the folder's watch cannot see them: it
 * reports what is done to the folder's entries, and an edit of a link's target is done to a file
 * elsewhere (the link itself does not change). So each poll ({@link #changed}) stats every link's
 * target (size, modification time, file key: what {@link FolderStamp} compares) and tells whether
 * any differs from the poll before. A link added, removed or pointed elsewhere is an entry of the
 * folder, which the watch reports as well. Used by one thread at a time, as {@link FolderWatch}.
 */
final class LinkedFiles {
    private final Path dir;
    /** Each link's target as seen last (empty: dangling, or not a regular file). */
    private Map<String, Optional<FolderStamp.FileStamp>> seen;

    /** Starts from the links of {@code dir} and their targets as they are now. */
    LinkedFiles(Path dir) {
        this.dir = dir;
        this.seen = targets();
    }

    /**
     * Whether a link's target changed since the last call (or the construction): written to,
     * replaced, appeared or gone, or a link came or went. A folder that cannot be listed changes
     * nothing here (the load that follows a change of it says why).
     */
    boolean changed() {
        Map<String, Optional<FolderStamp.FileStamp>> now = targets();
        if (now == null || now.equals(seen)) {
            return false;
        }
        seen = now;
        return true;
    }

    /** The links among the maps files, each with its target's stamp; null when the folder cannot be listed. */
    private Map<String, Optional<FolderStamp.FileStamp>> targets() {
        Map<String, Optional<FolderStamp.FileStamp>> links = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (FolderStamp.isMapsFile(name) && Files.isSymbolicLink(p)) {
                    links.put(name, target(p));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return links;
    }

    private static Optional<FolderStamp.FileStamp> target(Path link) {
        try {
            BasicFileAttributes a = Files.readAttributes(link, BasicFileAttributes.class);
            return a.isRegularFile()
                    ? Optional.of(new FolderStamp.FileStamp(a.size(), a.lastModifiedTime(), a.fileKey()))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // dangling, or a loop: the load says which
        }
    }
}
