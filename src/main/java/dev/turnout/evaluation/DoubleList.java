package dev.turnout.evaluation;

import java.util.Arrays;

/** A growable array of primitive doubles: what ROC AUC keeps per row (8 bytes, no boxing). */
final class DoubleList {

    private double[] values = new double[1024];
    private int size;

    void add(double value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    /** The values, sorted ascending (sorts in place). */
    double[] sorted() {
        Arrays.sort(values, 0, size);
        return values;
    }
}
