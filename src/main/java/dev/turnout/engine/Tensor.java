package dev.turnout.engine;

import java.util.Arrays;

/** A named tensor with its data as a flat, row-major Java array of the type {@link DataType} names for its datatype. */
public record Tensor(String name, DataType datatype, long[] shape, Object data) {

    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** A tensor of zeros fitting {@code spec}, with every dynamic dimension set to 1: enough for a smoke or warm-up run. */
    public static Tensor zeros(TensorSpec spec) {
        if (!spec.datatype().servable()) {
            throw new IllegalArgumentException(spec.datatype() + " tensors cannot be served yet");
        }
        long[] shape = spec.shape().stream().mapToLong(d -> d == TensorSpec.DYNAMIC ? 1 : d).toArray();
        int count = Math.toIntExact(elementCount(shape));
        Object data = switch (spec.datatype()) {
            case FP32 -> new float[count];
            case FP64 -> new double[count];
            case INT64 -> new long[count];
            case BOOL -> new boolean[count];
            case UINT8, INT8 -> new byte[count];
            case FP16 -> new short[count]; // the bits of +0.0
            default -> new int[count];
        };
        return new Tensor(spec.name(), spec.datatype(), shape, data);
    }

    @Override
    public String toString() {
        return name + ":" + datatype + Arrays.toString(shape);
    }
}
