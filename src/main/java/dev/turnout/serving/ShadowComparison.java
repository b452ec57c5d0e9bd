package dev.turnout.serving;

import dev.turnout.engine.Float16;
import dev.turnout.engine.Tensor;

import java.util.Arrays;

/**
 * Whether a candidate's outputs agree with the active version's for one request. Each output tensor is compared by
 * name: an output whose rows have more than one column is a classification (scores or probabilities per class), so
 * the rows agree when their argmax is the same; any other output is a regression, whose elements agree within
 * {@code |a - c| <= absolute + relative * |a|}. A request disagrees when any row of any output does, when a
 * candidate's output is missing or shaped differently, or when the candidate gives a non-finite value where the active
 * version gave a finite one.
 */
public final class ShadowComparison {

    private final double absolute;
    private final double relative;

    public ShadowComparison(double absolute, double relative) {
        if (!(absolute >= 0) || !(relative >= 0)) {
            throw new IllegalArgumentException("tolerances must be >= 0");
        }
        this.absolute = absolute;
        this.relative = relative;
    }

    /** True when {@code candidate} answers the request as {@code active} did. */
    public boolean agree(Tensor[] active, Tensor[] candidate) {
        if (active.length != candidate.length) {
            return false;
        }
        for (Tensor expected : active) {
            Tensor actual = byName(candidate, expected.name());
            if (actual == null || !Arrays.equals(expected.shape(), actual.shape()) || !agree(expected, actual)) {
                return false;
            }
        }
        return true;
    }

    private static Tensor byName(Tensor[] tensors, String name) {
        for (Tensor tensor : tensors) {
            if (tensor.name().equals(name)) {
                return tensor;
            }
        }
        return tensors.length == 1 ? tensors[0] : null;
    }

    private boolean agree(Tensor expected, Tensor actual) {
        double[] a = numbers(expected);
        double[] c = numbers(actual);
        if (a == null || c == null) { // strings and other non-numeric outputs: exact equality
            return java.util.Objects.deepEquals(expected.data(), actual.data());
        }
        if (a.length != c.length) {
            return false;
        }
        long[] shape = expected.shape();
        int columns = shape.length >= 2 ? (int) shape[shape.length - 1] : 1;
        if (columns > 1 && a.length % columns == 0) {
            for (int row = 0; row < a.length; row += columns) {
                if (argmax(a, row, columns) != argmax(c, row, columns)) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < a.length; i++) {
            if (!close(a[i], c[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean close(double active, double candidate) {
        if (Double.isNaN(active) || Double.isInfinite(active)) {
            return Double.compare(active, candidate) == 0; // the same non-finite value, or not
        }
        if (!Double.isFinite(candidate)) {
            return false;
        }
        return Math.abs(active - candidate) <= absolute + relative * Math.abs(active);
    }

    /** Index of the largest value in {@code values[from, from + count)}; a NaN is never the largest. */
    static int argmax(double[] values, int from, int count) {
        int best = -1;
        for (int i = 0; i < count; i++) {
            double v = values[from + i];
            if (!Double.isNaN(v) && (best < 0 || v > values[from + best])) {
                best = i;
            }
        }
        return best;
    }

    /** The elements as doubles, or null for types that are not numbers. */
    static double[] numbers(Tensor tensor) {
        Object data = tensor.data();
        if (data instanceof float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        if (data instanceof double[] d) {
            return d;
        }
        if (data instanceof long[] l) {
            return Arrays.stream(l).asDoubleStream().toArray();
        }
        if (data instanceof int[] n) {
            return Arrays.stream(n).asDoubleStream().toArray();
        }
        if (data instanceof short[] half) { // FP16 bits
            double[] d = new double[half.length];
            for (int i = 0; i < half.length; i++) {
                d[i] = Float16.toFloat(half[i]);
            }
            return d;
        }
        if (data instanceof byte[] b) {
            double[] d = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                d[i] = tensor.datatype() == dev.turnout.engine.DataType.UINT8 ? b[i] & 0xff : b[i];
            }
            return d;
        }
        return null;
    }
}
