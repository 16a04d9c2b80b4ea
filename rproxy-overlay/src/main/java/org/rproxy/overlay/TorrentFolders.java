package org.rproxy.overlay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;

import bt.metainfo.MetadataService;
import bt.metainfo.Torrent;
import bt.torrent.maker.TorrentBuilder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders of a {@link Swarm} under its root: one per torrent, named by its infohash (hex),
 * and staging folders ({@code new...}) for a torrent being made. Makes the single-file torrent
 * of a bundle, deletes a torrent's folder, and deletes what a previous run left. Stateless.
 */
final class TorrentFolders {
    private static final Logger log = LoggerFactory.getLogger(TorrentFolders.class);

    private TorrentFolders() {
    }

    /** A torrent of one file, in the folder named by its infohash. */
    record Made(Torrent torrent, Path dir, Path file) {
    }

    /**
     * Writes {@code bytes} as {@code name} in a staging folder, makes its torrent, and moves the
     * folder to the one named by the infohash (or, when that folder exists already, the same
     * bytes are held there: the staging folder is deleted).
     */
    static Made make(Path root, String name, byte[] bytes) throws IOException {
        Path staging = Files.createTempDirectory(root, "new");
        Path file = staging.resolve(name);
        Files.write(file, bytes);
        byte[] metainfo = new TorrentBuilder().rootPath(staging).addFile(file).pieceSize(pieceSize(bytes.length))
                .createdBy("rproxy").build();
        Torrent torrent = new MetadataService().fromByteArray(metainfo);
        Path dir = root.resolve(HexFormat.of().formatHex(torrent.getTorrentId().getBytes()));
        if (Files.isDirectory(dir)) {
            deleteTree(staging);
        } else {
            Files.move(staging, dir);
        }
        return new Made(torrent, dir, dir.resolve(name));
    }

    private static int pieceSize(int length) {
        // bt needs a power of two of at least 16 KiB; about 64 pieces keeps small bundles in one or a few
        int size = 16 * 1024;
        while (size < 4 * 1024 * 1024 && (long) size * 64 < length) {
            size <<= 1;
        }
        return size;
    }

    /**
     * Deletes what a previous run left in {@code root}: the folder of every torrent (named by its
     * infohash) and every staging folder ({@code new...}). A node seeds nothing when it starts:
     * a publisher seeds again what it publishes, a client keeps nothing across runs.
     */
    static void deleteLeftOvers(Path root) {
        try (var folders = Files.list(root)) {
            folders.filter(f -> Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS))
                    .filter(f -> f.getFileName().toString().matches("[0-9a-f]{40}|new.*"))
                    .forEach(f -> {
                        log.debug("bt {}: deleting {}, left by a previous run", root, f.getFileName());
                        deleteTree(f);
                    });
        } catch (IOException | UncheckedIOException e) {
            log.warn("overlay: cannot list {} to delete what a previous run left: {}", root, e.toString());
        }
    }

    /** Deletes {@code dir} and everything in it, as far as it can. */
    static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // already gone, or gone in part: nothing to keep in either case
        }
    }
}
