package dev.turnout.evaluation;

import dev.turnout.engine.Float16;
import dev.turnout.engine.Tensor;

/** Reads one element of an output tensor as a double, whatever its numeric type. */
final class OutputValues {

    private OutputValues() {
    }

    static double at(Tensor tensor, int index) {
        Object data = tensor.data();
        if (data instanceof float[] f) {
            return f[index];
        } else if (data instanceof double[] d) {
            return d[index];
        } else if (data instanceof long[] l) {
            return l[index];
        } else if (data instanceof int[] i) {
            return i[index];
        } else if (data instanceof byte[] b) {
            return tensor.datatype() == dev.turnout.engine.DataType.UINT8 ? b[index] & 0xff : b[index];
        } else if (data instanceof short[] h) {
            return Float16.toFloat(h[index]);
        } else if (data instanceof boolean[] z) {
            return z[index] ? 1 : 0;
        }
        throw new IllegalArgumentException("output '" + tensor.name() + "' is not numeric");
    }
}
