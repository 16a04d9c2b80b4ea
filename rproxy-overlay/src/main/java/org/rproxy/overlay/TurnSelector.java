package org.rproxy.overlay;

import static java.util.Objects.requireNonNull;

import java.util.BitSet;
import java.util.stream.IntStream;

import bt.torrent.PieceStatistics;
import bt.torrent.selector.PieceSelector;
import bt.torrent.selector.RarestFirstSelector;

/**
 * The piece selector of one {@link Swarm} fetch: bt's own (randomised rarest first), but no piece
 * while the fetch's {@link FetchTurns.Turn} may not receive blocks, so that bt asks no peer for
 * one and none comes: the blocks bt files while a torrent's worker takes them are one torrent's
 * at a time ({@link ReceivedBlocks}). bt asks its selector again on each round of the torrent's
 * worker while it has no peer it wants pieces from, so the fetch asks for its pieces as soon as
 * it may. Thread-safe (bt's worker threads ask it).
 */
final class TurnSelector implements PieceSelector {
    private final FetchTurns.Turn turn;
    private final PieceSelector bt = RarestFirstSelector.randomizedRarest();

    TurnSelector(FetchTurns.Turn turn) {
        this.turn = requireNonNull(turn, "turn");
    }

    @Override
    public void initSelector(int piecesTotal) {
        bt.initSelector(piecesTotal);
    }

    @Override
    public IntStream getNextPieces(BitSet peerBitfield, PieceStatistics stats) {
        return turn.mayReceive() ? bt.getNextPieces(peerBitfield, stats) : IntStream.empty();
    }
}
