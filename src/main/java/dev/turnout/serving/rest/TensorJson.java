package dev.turnout.serving.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Float16;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Tensors to and from JSON, checked against the model's signature before anything reaches the engine: rank, fixed
 * dimensions, element count, element type, limits. Data may be flat or nested, always row-major.
 */
final class TensorJson {

    private TensorJson() {
    }

    /** The shape of nested JSON arrays, from their first elements (raggedness shows up as a count mismatch). */
    static long[] shapeOf(JsonNode data) {
        List<Long> shape = new ArrayList<>();
        JsonNode node = data;
        while (node.isArray()) {
            shape.add((long) node.size());
            if (node.isEmpty()) {
                break;
            }
            node = node.get(0);
        }
        return shape.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Reads one input tensor.
     *
     * @param where how to name it in error messages, e.g. "input 'x'"
     */
    static Tensor read(String where, TensorSpec spec, long[] shape, JsonNode data, int maxElements) {
        int count = checkedCount(where, spec, shape, maxElements);
        Filler filler = Filler.of(spec.datatype(), count, where);
        int filled = flatten(data, filler, where, shape);
        if (filled != count) {
            throw TurnoutException.invalid(where + " has " + filled + " elements but its shape "
                    + Arrays.toString(shape) + " needs " + count);
        }
        return new Tensor(spec.name(), spec.datatype(), shape, filler.array());
    }

    /** Checks a shape against the signature and the element limit; returns its element count. */
    static int checkedCount(String where, TensorSpec spec, long[] shape, int maxElements) {
        checkShape(where, spec, shape);
        long count = 1;
        for (long dim : shape) {
            if (dim > maxElements || (count *= dim) > maxElements) { // both factors <= the limit: no overflow
                throw TurnoutException.invalid(where + " has shape " + Arrays.toString(shape) + ", more than the "
                        + maxElements + " elements a tensor may have (turnout.serving.max-tensor-elements)");
            }
        }
        return (int) count;
    }

    private static void checkShape(String where, TensorSpec spec, long[] shape) {
        if (shape.length != spec.shape().size()) {
            throw TurnoutException.invalid(where + " has shape " + Arrays.toString(shape) + " but the model takes "
                    + spec.datatype() + spec.shape() + " (-1: any size)");
        }
        for (int i = 0; i < shape.length; i++) {
            long expected = spec.shape().get(i);
            if (shape[i] < 1) {
                throw TurnoutException.invalid(where + " has shape " + Arrays.toString(shape)
                        + ": empty tensors and empty batches are not accepted");
            }
            if (expected != TensorSpec.DYNAMIC && expected != shape[i]) {
                throw TurnoutException.invalid(where + " has shape " + Arrays.toString(shape) + " but the model takes "
                        + spec.shape() + " (-1: any size); dimension " + i + " must be " + expected);
            }
        }
    }

    /**
     * Walks the data depth-first without recursion (depth is bounded by the parser anyway). Flat data is numbers
     * only; nested data must be exactly as deep and as wide as the shape at every level, so a ragged array whose
     * count happens to fit (e.g. {@code [[1], [2, 3], []]} for [3, 1]) is refused, never read as another tensor.
     */
    private static int flatten(JsonNode data, Filler filler, String where, long[] shape) {
        if (!data.isArray()) {
            filler.add(data);
            return filler.size();
        }
        boolean nested = !data.isEmpty() && data.get(0).isArray();
        if (nested) {
            requireWidth(where, shape, 0, data);
        }
        Deque<Iterator<JsonNode>> stack = new ArrayDeque<>();
        stack.push(data.elements());
        while (!stack.isEmpty()) {
            Iterator<JsonNode> top = stack.peek();
            if (!top.hasNext()) {
                stack.pop();
                continue;
            }
            JsonNode next = top.next();
            int depth = stack.size();
            if (!nested) {
                if (next.isArray()) {
                    throw TurnoutException.invalid(where + " has flat data with an array in it; send numbers only, "
                            + "or arrays nested as the shape");
                }
                filler.add(next);
            } else if (next.isArray()) {
                if (depth >= shape.length) {
                    throw notRectangular(where, shape, "an array at depth " + depth + " stands where a number belongs");
                }
                requireWidth(where, shape, depth, next);
                stack.push(next.elements());
            } else {
                if (depth < shape.length) {
                    throw notRectangular(where, shape, "a number at depth " + depth + " stands where an array belongs");
                }
                filler.add(next);
            }
        }
        return filler.size();
    }

    private static void requireWidth(String where, long[] shape, int depth, JsonNode array) {
        if (depth < shape.length && array.size() != shape[depth]) {
            throw notRectangular(where, shape, "an array at depth " + depth + " has " + array.size()
                    + " elements, not " + shape[depth]);
        }
    }

    private static TurnoutException notRectangular(String where, long[] shape, String problem) {
        return TurnoutException.invalid(where + " is not a rectangular array of shape " + Arrays.toString(shape) + ": "
                + problem);
    }

    /**
     * Data as the OIP wants it: flat and row-major, as numbers. The engine's arrays are used as they are, except
     * bytes (which JSON writers take for binary) and FP16 bits, which are widened.
     */
    static Object flat(Tensor tensor) {
        return switch (tensor.datatype()) {
            case UINT8 -> widen((byte[]) tensor.data(), 0xff);
            case INT8 -> widen((byte[]) tensor.data(), -1);
            case FP16 -> toFloats((short[]) tensor.data());
            default -> tensor.data();
        };
    }

    private static int[] widen(byte[] data, int mask) {
        int[] numbers = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            numbers[i] = data[i] & mask;
        }
        return numbers;
    }

    private static float[] toFloats(short[] halves) {
        float[] numbers = new float[halves.length];
        for (int i = 0; i < halves.length; i++) {
            numbers[i] = Float16.toFloat(halves[i]);
        }
        return numbers;
    }

    /** Data nested by shape, as TF Serving and the simple /predict form return it. */
    static Object nested(Tensor tensor) {
        return nest(flat(tensor), tensor.shape(), 0, 0);
    }

    /** Row {@code row} of a batched tensor (dimension 0), nested. */
    static Object nestedRow(Tensor tensor, int row) {
        long[] shape = tensor.shape();
        int rowSize = 1;
        for (int i = 1; i < shape.length; i++) {
            rowSize *= (int) shape[i];
        }
        return nest(flat(tensor), shape, 1, row * rowSize);
    }

    private static Object nest(Object data, long[] shape, int dim, int offset) {
        if (dim == shape.length) {
            return java.lang.reflect.Array.get(data, offset);
        }
        int stride = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            stride *= (int) shape[i];
        }
        if (dim == shape.length - 1) {
            return slice(data, offset, offset + (int) shape[dim]);
        }
        List<Object> rows = new ArrayList<>((int) shape[dim]);
        for (int i = 0; i < shape[dim]; i++) {
            rows.add(nest(data, shape, dim + 1, offset + i * stride));
        }
        return rows;
    }

    private static Object slice(Object data, int from, int to) {
        if (data instanceof float[] a) {
            return Arrays.copyOfRange(a, from, to);
        } else if (data instanceof double[] a) {
            return Arrays.copyOfRange(a, from, to);
        } else if (data instanceof int[] a) {
            return Arrays.copyOfRange(a, from, to);
        } else if (data instanceof long[] a) {
            return Arrays.copyOfRange(a, from, to);
        }
        return Arrays.copyOfRange((boolean[]) data, from, to);
    }

    /** Writes JSON leaves into a typed array, refusing values of the wrong kind. */
    private abstract static class Filler {
        final String where;
        final int capacity;
        int size;

        Filler(String where, int capacity) {
            this.where = where;
            this.capacity = capacity;
        }

        static Filler of(DataType type, int capacity, String where) {
            return switch (type) {
                case FP32 -> new FloatFiller(where, capacity);
                case FP64 -> new DoubleFiller(where, capacity);
                case INT32 -> new IntFiller(where, capacity);
                case INT64 -> new LongFiller(where, capacity);
                case BOOL -> new BoolFiller(where, capacity);
                case UINT8 -> new ByteFiller(where, capacity, 0, 255, "UINT8");
                case INT8 -> new ByteFiller(where, capacity, Byte.MIN_VALUE, Byte.MAX_VALUE, "INT8");
                case FP16 -> new HalfFiller(where, capacity);
                default -> throw TurnoutException.invalid(where + " is " + type + ", which cannot be served yet; "
                        + "servable datatypes: " + DataType.SERVABLE);
            };
        }

        int size() {
            return size;
        }

        void add(JsonNode value) {
            if (size == capacity) {
                size++; // count the overflow; the caller reports the mismatch
                throw TurnoutException.invalid(where + " has more elements than its shape allows (" + capacity + ")");
            }
            put(value);
            size++;
        }

        abstract void put(JsonNode value);

        abstract Object array();

        TurnoutException wrong(JsonNode value, String expected) {
            String shown = value.toString();
            return TurnoutException.invalid(where + " element " + size + " is " + (shown.length() > 40
                    ? shown.substring(0, 40) + "…" : shown) + "; expected " + expected);
        }
    }

    private static final class FloatFiller extends Filler {
        final float[] data;

        FloatFiller(String where, int capacity) {
            super(where, capacity);
            data = new float[capacity];
        }

        void put(JsonNode value) {
            if (!value.isNumber()) {
                throw wrong(value, "a number (FP32)");
            }
            float number = value.floatValue();
            if (!Float.isFinite(number)) { // a literal beyond FP32's range would silently become an infinity
                throw wrong(value, "a number within FP32's range");
            }
            data[size] = number;
        }

        Object array() {
            return data;
        }
    }

    private static final class DoubleFiller extends Filler {
        final double[] data;

        DoubleFiller(String where, int capacity) {
            super(where, capacity);
            data = new double[capacity];
        }

        void put(JsonNode value) {
            if (!value.isNumber()) {
                throw wrong(value, "a number (FP64)");
            }
            double number = value.doubleValue();
            if (!Double.isFinite(number)) {
                throw wrong(value, "a number within FP64's range");
            }
            data[size] = number;
        }

        Object array() {
            return data;
        }
    }

    private static final class IntFiller extends Filler {
        final int[] data;

        IntFiller(String where, int capacity) {
            super(where, capacity);
            data = new int[capacity];
        }

        void put(JsonNode value) {
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw wrong(value, "a whole number within INT32");
            }
            data[size] = value.intValue();
        }

        Object array() {
            return data;
        }
    }

    private static final class LongFiller extends Filler {
        final long[] data;

        LongFiller(String where, int capacity) {
            super(where, capacity);
            data = new long[capacity];
        }

        void put(JsonNode value) {
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw wrong(value, "a whole number within INT64");
            }
            data[size] = value.longValue();
        }

        Object array() {
            return data;
        }
    }

    /** UINT8 and INT8: one byte each, holding the value's low 8 bits (so 255 is stored as the byte -1). */
    private static final class ByteFiller extends Filler {
        final byte[] data;
        final int min;
        final int max;
        final String expected;

        ByteFiller(String where, int capacity, int min, int max, String type) {
            super(where, capacity);
            data = new byte[capacity];
            this.min = min;
            this.max = max;
            expected = "a whole number from " + min + " to " + max + " (" + type + ")";
        }

        void put(JsonNode value) {
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
                    || value.intValue() > max) {
                throw wrong(value, expected);
            }
            data[size] = (byte) value.intValue();
        }

        Object array() {
            return data;
        }
    }

    /** FP16: any number within ±65504, rounded to the nearest half and held as its bits. */
    private static final class HalfFiller extends Filler {
        final short[] data;

        HalfFiller(String where, int capacity) {
            super(where, capacity);
            data = new short[capacity];
        }

        void put(JsonNode value) {
            // the range is checked on the number as sent, before any rounding
            if (!value.isNumber() || !(Math.abs(value.doubleValue()) <= Float16.MAX)) {
                throw wrong(value, "a number within FP16's range (±65504)");
            }
            data[size] = Float16.fromFloat(value.floatValue());
        }

        Object array() {
            return data;
        }
    }

    private static final class BoolFiller extends Filler {
        final boolean[] data;

        BoolFiller(String where, int capacity) {
            super(where, capacity);
            data = new boolean[capacity];
        }

        void put(JsonNode value) {
            if (!value.isBoolean()) {
                throw wrong(value, "true or false (BOOL)");
            }
            data[size] = value.booleanValue();
        }

        Object array() {
            return data;
        }
    }
}
