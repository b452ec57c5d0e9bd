package dev.turnout.evaluation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-row latency: each batch's time shared out over its rows. Keeps one entry per batch (not per row), so a million
 * rows in batches of 256 cost about 4,000 entries.
 */
final class LatencyRecorder {

    private long[] nanosPerRow = new long[256];
    private int[] rowsOf = new int[256];
    private int batches;
    private long rows;

    void batch(long nanos, int rowCount) {
        if (rowCount == 0) {
            return;
        }
        if (batches == nanosPerRow.length) {
            nanosPerRow = Arrays.copyOf(nanosPerRow, batches * 2);
            rowsOf = Arrays.copyOf(rowsOf, batches * 2);
        }
        nanosPerRow[batches] = nanos / rowCount;
        rowsOf[batches] = rowCount;
        batches++;
        rows += rowCount;
    }

    /** p50 and p99 in milliseconds, rows weighted; empty before any batch. */
    Map<String, Double> percentiles() {
        Map<String, Double> result = new LinkedHashMap<>();
        if (rows == 0) {
            return result;
        }
        Integer[] order = new Integer[batches];
        for (int i = 0; i < batches; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(nanosPerRow[a], nanosPerRow[b]));
        result.put("p50", at(order, 0.50));
        result.put("p99", at(order, 0.99));
        return result;
    }

    private double at(Integer[] order, double quantile) {
        long rank = (long) Math.ceil(quantile * rows);
        long seen = 0;
        for (int index : order) {
            seen += rowsOf[index];
            if (seen >= rank) {
                return nanosPerRow[index] / 1e6;
            }
        }
        return nanosPerRow[order[order.length - 1]] / 1e6;
    }
}
