package org.rproxy.core.server;

/**
 * The front end's bounds that default to a share of the JVM's heap ({@link FrontEndConfig}'s
 * {@code maxBodyBytesHeld} and {@code maxAnswersHeld} when 0): how large each share is and what
 * it comes to for a given heap. Apart from the config, which says what each bound means.
 */
final class HeapShares {
    /**
     * The part of the heap that request bodies arriving may take at once by default: one
     * sixteenth (32 MiB of a 512 MiB heap: two thousand bodies' first 16 KiB, or thirty-two
     * bodies of the largest default size), the rest being the store's, the answers' and the
     * connections'.
     */
    static final int BODIES = 16;
    /** The part of the heap the answers held for HTTP/2 streams may take by default, at {@link #ANSWER_BYTES} each. */
    static final int ANSWERS = 4;
    /** What a default place is counted as: the largest answer written whole (larger ones go out in parts, {@link BodyPump}). */
    static final int ANSWER_BYTES = BodyPump.PART_BYTES;

    private HeapShares() {
    }

    /** The default of {@code maxBodyBytesHeld} for a heap of {@code maxHeapBytes}: its {@link #BODIES}th, at least one largest body. */
    static long bodyBytes(long maxHeapBytes, int maxBodyBytes) {
        return Math.max(maxBodyBytes, maxHeapBytes / BODIES);
    }

    /** The default of {@code maxAnswersHeld} for a heap of {@code maxHeapBytes}: its {@link #ANSWERS}th in {@link #ANSWER_BYTES} (4,096 for 1 GiB), at least 32. */
    static int answers(long maxHeapBytes) {
        return (int) Math.min(FrontEndConfig.MAX_ANSWERS_HELD,
                Math.max(AnswerTurns.MAX_ANSWERING, maxHeapBytes / ANSWERS / ANSWER_BYTES));
    }
}
