package org.rproxy.overlay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import bt.Bt;
import bt.data.file.FileSystemStorage;
import bt.runtime.BtClient;
import bt.runtime.BtRuntime;

/**
 * bt's client for one {@link Swarm} fetch of a torrent by its infohash alone (a magnet link):
 * the metadata from the peers, checked against {@link TorrentFiles}' rules as soon as it comes
 * (a torrent of another shape, too large, or whose file name is not one plain name is refused
 * before its pieces are asked for), then the pieces (once the fetch's turn lets it receive,
 * {@link TurnSelector}), and the file bt wrote read back, never more
 * than the bound. Its steps run on bt's threads and complete the fetch's future whichever way
 * they end ({@link BtSteps}). Stateless.
 */
final class MagnetFetch {
    private MagnetFetch() {
    }

    /**
     * A client (not started) fetching {@code hex} into {@code dir}: tells {@code turn} when the
     * metadata came, completes {@code done} with the file's bytes (at most {@code maxBytes}) or
     * with why not, and tells {@code whole} the file once it is held whole.
     */
    static BtClient client(BtRuntime runtime, String hex, Path dir, CompletableFuture<byte[]> done, long maxBytes,
                           FetchTurns.Turn turn, Consumer<Path> whole) {
        return Bt.client(runtime).storage(new FileSystemStorage(dir)).magnet("magnet:?xt=urn:btih:" + hex)
                // its pieces are asked for only while no other fetch's blocks can come
                .selector(new TurnSelector(turn))
                .afterTorrentFetched(t -> BtSteps.completing(done, () -> {
                    turn.metadata();
                    String why = TorrentFiles.refusal(t, maxBytes);
                    if (why != null) {
                        done.completeExceptionally(new IOException("torrent " + hex + ": " + why));
                    }
                }))
                .afterDownloaded(t -> BtSteps.completing(done, () -> {
                    String why = TorrentFiles.refusal(t, maxBytes);
                    if (why != null) {
                        throw new IOException("torrent " + hex + ": " + why);
                    }
                    // the file bt wrote (and checked piece by piece), in this torrent's folder
                    Path file = TorrentFiles.fileIn(dir, t.getFiles().get(0).getPathElements().get(0));
                    byte[] bytes = TorrentFiles.read(file, maxBytes);
                    whole.accept(file);
                    done.complete(bytes);
                }))
                .build();
    }
}
