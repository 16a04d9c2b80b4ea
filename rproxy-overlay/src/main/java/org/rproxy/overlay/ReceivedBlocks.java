package org.rproxy.overlay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import bt.net.buffer.BufferedData;
import bt.net.pipeline.IBufferedPieceRegistry;

/**
 * Where the bt runtime of a {@link Swarm} files each block it receives until the torrent's worker
 * takes it, in place of bt 1.10's {@code BufferedPieceRegistry}: the connection's reader files
 * it (before it passes the piece message on), and the torrent's worker takes it on the message
 * dispatcher's thread when it reads that message. Like bt's, it is keyed by piece index and
 * offset alone (bt says neither the torrent nor the connection when it files or takes a block),
 * so it serves one fetch at a time ({@link FetchTurns}).
 *
 * <p>Unlike bt's, a block filed where one is already filed takes its place, and the one it
 * displaces is let go of (disposed: its connection may reuse the bytes). bt's keeps the first and
 * refuses the second, and it keeps for good a block no worker takes: one that came on a
 * connection of a torrent that stopped before its worker read it (a fetch cancelled, or past its
 * budget, is dropped while its blocks are in flight); the next torrent's block at the same place
 * (every bundle's first is piece 0, offset 0) was then refused, and its worker took the stale
 * block, failed the piece's hash and fetched it again. Here the new block displaces the stale one.
 * Stale blocks at places no torrent fetches again are let go of by {@link #letGoOfAll} (the
 * swarm calls it when a torrent dropped has stopped and nothing is being fetched). A block taken
 * from here is the worker's to dispose of (bt's data worker does, once written). Thread-safe.
 */
final class ReceivedBlocks implements IBufferedPieceRegistry {
    private final Map<Long, BufferedData> filed = new ConcurrentHashMap<>();

    @Override
    public boolean addBufferedPiece(int pieceIndex, int offset, BufferedData buffer) {
        if (pieceIndex < 0) {
            throw new IllegalArgumentException("piece index " + pieceIndex);
        }
        BufferedData displaced = filed.put(key(pieceIndex, offset), buffer);
        if (displaced != null && displaced != buffer) {
            displaced.dispose();
        }
        return true;
    }

    @Override
    public BufferedData getBufferedPiece(int pieceIndex, int offset) {
        return filed.remove(key(pieceIndex, offset));
    }

    /**
     * Lets go of every block filed: call only when no torrent's worker is to take one (nothing is
     * being fetched). A worker that reads the piece message of one of them after all (a torrent
     * held whole, sent a block twice) finds it gone and drops the message, as bt's does.
     */
    void letGoOfAll() {
        filed.forEach((k, b) -> {
            if (filed.remove(k, b)) {
                b.dispose();
            }
        });
    }

    private static long key(int pieceIndex, int offset) {
        return ((long) pieceIndex << 32) | (offset & 0xFFFFFFFFL);
    }
}
