package dev.turnout.serving.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Float16;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;

import java.io.IOException;
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
        ElementFiller filler = ElementFiller.of(spec.datatype(), count, where);
        int filled = flatten(data, filler, where, shape);
        if (filled != count) {
            throw TurnoutException.invalid(where + " has " + filled + " elements but its shape "
                    + Arrays.toString(shape) + " needs " + count);
        }
        return new Tensor(spec.name(), spec.datatype(), shape, filler.array());
    }

    /** Reads one input tensor whose data the streaming parser has already read (see {@link OipRequestReader}). */
    static Tensor read(String where, TensorSpec spec, long[] shape, Streamed data, int maxElements) {
        int count = checkedCount(where, spec, shape, maxElements);
        if (data.error != null) {
            throw data.error;
        }
        if (data.filler.size() != count) {
            throw TurnoutException.invalid(where + " has " + data.filler.size() + " elements but its shape "
                    + Arrays.toString(shape) + " needs " + count);
        }
        return new Tensor(spec.name(), spec.datatype(), shape, data.filler.array());
    }

    /** The datatypes whose data can be read by the streaming parser. */
    static boolean streamable(DataType type) {
        return switch (type) {
            case FP32, FP64, INT32, INT64, BOOL, UINT8, INT8, FP16 -> true;
            default -> false;
        };
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
    private static int flatten(JsonNode data, ElementFiller filler, String where, long[] shape) {
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

    static TurnoutException notRectangular(String where, long[] shape, String problem) {
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

    /**
     * An input's data read token by token into the primitive array of its declared datatype and shape. The checks are
     * those of {@link #flatten}, and what is wrong is the same first problem it would report (in its depth-first
     * order, where an array's width is checked before its elements): kept in {@link #error} and thrown only by
     * {@link #read(String, TensorSpec, long[], Streamed, int)}, after the checks that come before the data.
     */
    static final class Streamed {
        private final String where;
        private final long[] shape;
        private final ElementFiller filler;
        private TurnoutException error;
        private long errorAt; // the pre-order position of the error, to keep the first one flatten would find

        Streamed(String where, DataType type, long[] shape, int count) {
            this.where = where;
            this.shape = shape;
            this.filler = ElementFiller.of(type, count, where);
        }

        /** Reads the array the parser stands on (its START_ARRAY), up to and including its END_ARRAY. */
        void fill(JsonParser parser) throws IOException {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_ARRAY) {
                nested(parser);
            } else {
                flat(parser, first);
            }
        }

        private void flat(JsonParser parser, JsonToken first) throws IOException {
            for (JsonToken token = first; token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (error != null) {
                    parser.skipChildren();
                } else if (token == JsonToken.START_ARRAY) {
                    fail(0, TurnoutException.invalid(where + " has flat data with an array in it; send numbers "
                            + "only, or arrays nested as the shape"));
                    parser.skipChildren();
                } else {
                    leaf(parser, token, 0);
                }
            }
        }

        private void nested(JsonParser parser) throws IOException {
            int[] width = new int[shape.length + 1]; // elements seen so far in the open array at each depth
            long[] start = new long[shape.length + 1]; // each open array's pre-order position
            long position = 0; // the outer array is 0
            int depth = 0; // of the innermost open array
            for (JsonToken token = parser.currentToken(); ; token = parser.nextToken()) {
                if (token == JsonToken.END_ARRAY) {
                    if (depth < shape.length && width[depth] != shape[depth]) {
                        fail(start[depth], notRectangular(where, shape, "an array at depth " + depth + " has "
                                + width[depth] + " elements, not " + shape[depth]));
                    }
                    if (depth-- == 0) {
                        return;
                    }
                    continue;
                }
                width[depth]++;
                position++;
                int at = depth + 1; // flatten's depth of this element
                if (error != null) { // everything from here on comes after the first problem
                    parser.skipChildren();
                } else if (token == JsonToken.START_ARRAY) {
                    if (at >= shape.length) {
                        fail(position, notRectangular(where, shape, "an array at depth " + at
                                + " stands where a number belongs"));
                        parser.skipChildren();
                    } else {
                        depth = at;
                        width[depth] = 0;
                        start[depth] = position;
                    }
                } else if (at < shape.length) {
                    fail(position, notRectangular(where, shape, "a number at depth " + at
                            + " stands where an array belongs"));
                    parser.skipChildren();
                } else {
                    leaf(parser, token, position);
                }
            }
        }

        private void leaf(JsonParser parser, JsonToken token, long position) throws IOException {
            if (!filler.add(parser, token)) {
                try {
                    filler.add((JsonNode) parser.readValueAsTree()); // reads it, or refuses it as the tree path does
                } catch (TurnoutException e) {
                    fail(position, e);
                }
            }
        }

        private void fail(long position, TurnoutException problem) {
            if (error == null || position < errorAt) {
                error = problem;
                errorAt = position;
            }
        }
    }
}
