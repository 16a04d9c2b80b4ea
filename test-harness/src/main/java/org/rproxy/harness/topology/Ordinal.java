package org.rproxy.harness.topology;

import java.util.Arrays;

/** RFC 7285 §6.1.2.2 ordinal costs: a row's numerical costs replaced by their dense ranks, 1 the cheapest. */
final class Ordinal {
    private Ordinal() {
    }

    static int[] denseRanks(int[] matrix, int from, int length) {
        int[] sorted = Arrays.copyOfRange(matrix, from, from + length);
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[distinct++] = sorted[i];
            }
        }
        int[] ranks = new int[length];
        for (int i = 0; i < length; i++) {
            ranks[i] = Arrays.binarySearch(sorted, 0, distinct, matrix[from + i]) + 1;
        }
        return ranks;
    }
}
