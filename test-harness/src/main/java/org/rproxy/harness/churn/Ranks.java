package org.rproxy.harness.churn;

import java.util.Arrays;

/** RFC 7285 §6.1.2.2 ordinal costs: dense ranks of a row, 1 the cheapest, missing entries left out. */
final class Ranks {
    private Ranks() {
    }

    static double[] dense(double[] row) {
        double[] sorted = Arrays.stream(row).filter(v -> !Double.isNaN(v)).sorted().distinct().toArray();
        double[] ranks = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            ranks[i] = Double.isNaN(row[i]) ? Double.NaN : Arrays.binarySearch(sorted, row[i]) + 1;
        }
        return ranks;
    }
}
