package dev.turnout.evaluation;

import java.util.ArrayList;
import java.util.List;

/** Rows that could not be scored: all counted, the first {@link #KEPT} reasons kept. */
final class Refusals {

    static final int KEPT = 5;

    private long count;
    private final List<String> first = new ArrayList<>();

    void refuse(long rowNumber, String reason) {
        count++;
        if (first.size() < KEPT) {
            first.add("row " + rowNumber + ": " + reason);
        }
    }

    long count() {
        return count;
    }

    List<String> first() {
        return List.copyOf(first);
    }
}
