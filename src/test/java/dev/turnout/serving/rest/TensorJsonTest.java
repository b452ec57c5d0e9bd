package dev.turnout.serving.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading request tensors against a signature (shape, limits, element types) and nesting response tensors. */
class TensorJsonTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static TensorSpec spec(DataType type, long... shape) {
        return new TensorSpec("x", type, Arrays.stream(shape).boxed().toList());
    }

    static long[] shape(long... dims) {
        return dims;
    }

    /**
     * Reads through the tree and, where the streaming parser would take the data, through it as well: both must give
     * the same tensor or refuse with the same message.
     */
    static Tensor read(TensorSpec spec, long[] shape, String data, int maxElements) {
        Tensor tree;
        try {
            tree = TensorJson.read("input 'x'", spec, shape, json(data), maxElements);
        } catch (TurnoutException e) {
            TurnoutException streamed = assertThrows(TurnoutException.class,
                    () -> readStreamed(spec, shape, data, maxElements), "streamed too: " + e.getMessage());
            assertEquals(e.getMessage(), streamed.getMessage(), "the streaming parser's message for " + data);
            throw e;
        }
        Tensor streamed = readStreamed(spec, shape, data, maxElements);
        assertTrue(Arrays.deepEquals(new Object[] {tree.data()}, new Object[] {streamed.data()}), data);
        return tree;
    }

    /** As OipRequestReader streams an input's data, when it would (else the tree's answer). */
    static Tensor readStreamed(TensorSpec spec, long[] shape, String data, int maxElements) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 1 || dim > maxElements || (count *= dim) > maxElements) {
                return TensorJson.read("input 'x'", spec, shape, json(data), maxElements);
            }
        }
        try (JsonParser parser = JSON.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_ARRAY || !TensorJson.streamable(spec.datatype())) {
                return TensorJson.read("input 'x'", spec, shape, json(data), maxElements);
            }
            TensorJson.Streamed streamed = new TensorJson.Streamed("input 'x'", spec.datatype(), shape, (int) count);
            streamed.fill(parser);
            assertEquals(JsonToken.END_ARRAY, parser.currentToken(), "the data is read to its end");
            assertEquals(null, parser.nextToken());
            return TensorJson.read("input 'x'", spec, shape, streamed, maxElements);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(data, e);
        }
    }

    static String refused(TensorSpec spec, long[] shape, String data, int maxElements) {
        TurnoutException e = assertThrows(TurnoutException.class, () -> read(spec, shape, data, maxElements));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        return e.getMessage();
    }

    @Test
    void shapeComesFromTheFirstElementAtEachDepth() {
        assertArrayEquals(shape(2, 3), TensorJson.shapeOf(json("[[1, 2, 3], [4, 5, 6]]")));
        assertArrayEquals(shape(), TensorJson.shapeOf(json("7")));
        assertArrayEquals(shape(0), TensorJson.shapeOf(json("[]")));
        assertArrayEquals(shape(1, 0), TensorJson.shapeOf(json("[[]]")));
    }

    @Test
    void flatAndNestedDataReadTheSameRowMajor() {
        TensorSpec spec = spec(DataType.FP32, -1, 3);
        Tensor flat = read(spec, shape(2, 3), "[1, 2, 3, 4, 5, 6]", 100);
        Tensor nested = read(spec, shape(2, 3), "[[1, 2, 3], [4, 5, 6]]", 100);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, (float[]) flat.data());
        assertArrayEquals((float[]) flat.data(), (float[]) nested.data());
        assertEquals("x", nested.name());
        assertArrayEquals(shape(2, 3), nested.shape());
    }

    @Test
    void theRankAndEveryFixedDimensionMustMatch() {
        TensorSpec spec = spec(DataType.FP32, -1, 1);
        assertEquals("input 'x' has shape [2] but the model takes FP32[-1, 1] (-1: any size)",
                refused(spec, shape(2), "[1, 2]", 100));
        assertEquals("input 'x' has shape [1, 2] but the model takes [-1, 1] (-1: any size); dimension 1 must be 1",
                refused(spec, shape(1, 2), "[1, 2]", 100));
    }

    @Test
    void emptyTensorsAndNegativeDimensionsAreRefused() {
        TensorSpec spec = spec(DataType.FP32, -1, 1);
        assertEquals("input 'x' has shape [0, 1]: empty tensors and empty batches are not accepted",
                refused(spec, shape(0, 1), "[]", 100));
        refused(spec, shape(-1, 1), "[1]", 100);
    }

    @Test
    void theElementLimitHoldsForEachDimensionAndForTheProduct() {
        TensorSpec spec = spec(DataType.FP32, -1, -1);
        assertEquals(6, ((float[]) read(spec, shape(2, 3), "[1, 2, 3, 4, 5, 6]", 6).data()).length);
        String limit = "more than the 6 elements a tensor may have (turnout.serving.max-tensor-elements)";
        assertEquals("input 'x' has shape [7, 1], " + limit, refused(spec, shape(7, 1), "[]", 6));
        assertEquals("input 'x' has shape [3, 3], " + limit, refused(spec, shape(3, 3), "[]", 6));
        // dimensions whose product overflows are refused by the limit, not by an arithmetic error or a wrap-around
        assertEquals("input 'x' has shape [2147483647, 2147483647], more than the 2147483647 elements a tensor may "
                        + "have (turnout.serving.max-tensor-elements)",
                refused(spec, shape(Integer.MAX_VALUE, Integer.MAX_VALUE), "[]", Integer.MAX_VALUE));
        assertEquals("input 'x' has shape [9223372036854775807, 9223372036854775807], " + limit,
                refused(spec, shape(Long.MAX_VALUE, Long.MAX_VALUE), "[]", 6));
    }

    @Test
    void theElementCountMustFillTheShape() {
        TensorSpec spec = spec(DataType.FP32, -1, 3);
        assertEquals("input 'x' has 5 elements but its shape [2, 3] needs 6",
                refused(spec, shape(2, 3), "[1, 2, 3, 4, 5]", 100));
        assertEquals("input 'x' has more elements than its shape allows (6)",
                refused(spec, shape(2, 3), "[1, 2, 3, 4, 5, 6, 7]", 100));
        assertEquals("input 'x' is not a rectangular array of shape [2, 3]: an array at depth 1 has 2 elements, "
                + "not 3", refused(spec, shape(2, 3), "[[1, 2, 3], [4, 5]]", 100));
    }

    @Test
    void raggedArraysAreRefusedEvenWhenTheCountFits() {
        TensorSpec column = spec(DataType.FP32, -1, 1);
        String data = "[[1], [2, 3], []]"; // 3 numbers, as [3, 1] would have
        assertEquals("input 'x' is not a rectangular array of shape [3, 1]: an array at depth 1 has 2 elements, not 1",
                refused(column, TensorJson.shapeOf(json(data)), data, 100));
        TensorSpec square = spec(DataType.FP32, -1, 2);
        String mixed = "[[1, [2]], [3, 4]]";
        assertEquals("input 'x' is not a rectangular array of shape [2, 2]: an array at depth 2 stands where a "
                + "number belongs", refused(square, TensorJson.shapeOf(json(mixed)), mixed, 100));
        assertEquals("input 'x' is not a rectangular array of shape [2, 1]: a number at depth 1 stands where an array "
                + "belongs", refused(spec(DataType.FP32, -1, 1), shape(2, 1), "[[1], 2]", 100));
        assertEquals("input 'x' has flat data with an array in it; send numbers only, or arrays nested as the shape",
                refused(spec(DataType.FP32, -1), shape(2), "[1, [2]]", 100));
    }

    @Test
    void integersWithinTheirTypeOnly() {
        TensorSpec int32 = spec(DataType.INT32, -1);
        assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
                (int[]) read(int32, shape(2), "[-2147483648, 2147483647]", 100).data());
        assertEquals("input 'x' element 1 is 2147483648; expected a whole number within INT32",
                refused(int32, shape(2), "[0, 2147483648]", 100));
        assertEquals("input 'x' element 0 is 1.5; expected a whole number within INT32",
                refused(int32, shape(1), "[1.5]", 100));

        TensorSpec int64 = spec(DataType.INT64, -1);
        assertArrayEquals(new long[] {Long.MAX_VALUE},
                (long[]) read(int64, shape(1), "[9223372036854775807]", 100).data());
        assertEquals("input 'x' element 0 is 9223372036854775808; expected a whole number within INT64",
                refused(int64, shape(1), "[9223372036854775808]", 100));
        assertEquals("input 'x' element 0 is \"7\"; expected a whole number within INT64",
                refused(int64, shape(1), "[\"7\"]", 100));
    }

    @Test
    void numbersForFloatsAndBooleansForBool() {
        assertArrayEquals(new double[] {0.1, -2},
                (double[]) read(spec(DataType.FP64, -1), shape(2), "[0.1, -2]", 100).data());
        assertEquals("input 'x' element 2 is null; expected a number (FP32)",
                refused(spec(DataType.FP32, -1), shape(3), "[1, 2, null]", 100));
        assertEquals("input 'x' element 0 is true; expected a number (FP64)",
                refused(spec(DataType.FP64, -1), shape(1), "[true]", 100));
        assertArrayEquals(new boolean[] {true, false},
                (boolean[]) read(spec(DataType.BOOL, -1), shape(2), "[true, false]", 100).data());
        assertEquals("input 'x' element 0 is 1; expected true or false (BOOL)",
                refused(spec(DataType.BOOL, -1), shape(1), "[1]", 100));
    }

    @Test
    void aWrongElementIsShownCut() {
        assertEquals("input 'x' element 0 is \"" + "a".repeat(39) + "…; expected a number (FP32)",
                refused(spec(DataType.FP32, -1), shape(1), "[\"" + "a".repeat(100) + "\"]", 100));
    }

    @Test
    void typesASignatureMayNameButNoRequestCanCarry() {
        assertEquals("input 'x' is INT16, which cannot be served yet; "
                        + "servable datatypes: BOOL, UINT8, INT8, INT32, INT64, FP16, FP32, FP64",
                refused(spec(DataType.INT16, -1), shape(1), "[1]", 100));
    }

    @Test
    void uint8AndInt8AreWholeNumbersWithinTheirRangeHeldAsBytes() {
        TensorSpec uint8 = spec(DataType.UINT8, -1);
        assertArrayEquals(new byte[] {0, 127, (byte) 128, (byte) 255},
                (byte[]) read(uint8, shape(4), "[0, 127, 128, 255]", 100).data());
        assertEquals("input 'x' element 1 is 256; expected a whole number from 0 to 255 (UINT8)",
                refused(uint8, shape(2), "[0, 256]", 100));
        assertEquals("input 'x' element 0 is -1; expected a whole number from 0 to 255 (UINT8)",
                refused(uint8, shape(1), "[-1]", 100));
        assertEquals("input 'x' element 0 is 1.5; expected a whole number from 0 to 255 (UINT8)",
                refused(uint8, shape(1), "[1.5]", 100));

        TensorSpec int8 = spec(DataType.INT8, -1);
        assertArrayEquals(new byte[] {-128, 0, 127}, (byte[]) read(int8, shape(3), "[-128, 0, 127]", 100).data());
        assertEquals("input 'x' element 0 is -129; expected a whole number from -128 to 127 (INT8)",
                refused(int8, shape(1), "[-129]", 100));
        assertEquals("input 'x' element 0 is 128; expected a whole number from -128 to 127 (INT8)",
                refused(int8, shape(1), "[128]", 100));
        assertEquals("input 'x' element 0 is \"1\"; expected a whole number from -128 to 127 (INT8)",
                refused(int8, shape(1), "[\"1\"]", 100));
    }

    @Test
    void fp16IsAnyNumberWithinItsRangeRoundedToTheNearestHalf() {
        TensorSpec fp16 = spec(DataType.FP16, -1);
        assertArrayEquals(new short[] {0x3c00, (short) 0xc000, 0x7bff, (short) 0xfbff, 0x2e66},
                (short[]) read(fp16, shape(5), "[1, -2.0, 65504, -65504, 0.1]", 100).data());
        assertEquals("input 'x' element 1 is 70000; expected a number within FP16's range (±65504)",
                refused(fp16, shape(2), "[0, 70000]", 100));
        assertEquals("input 'x' element 0 is -65505; expected a number within FP16's range (±65504)",
                refused(fp16, shape(1), "[-65505]", 100));
        assertEquals("input 'x' element 0 is true; expected a number within FP16's range (±65504)",
                refused(fp16, shape(1), "[true]", 100));
    }

    @Test
    void smallTypesLeaveAsNumbers() {
        Tensor uint8 = new Tensor("y", DataType.UINT8, shape(2, 2), new byte[] {0, 1, (byte) 128, (byte) 255});
        assertEquals("[0, 1, 128, 255]", show(TensorJson.flat(uint8)));
        assertEquals("[[0, 1], [128, 255]]", show(TensorJson.nested(uint8)));
        assertEquals("[128, 255]", show(TensorJson.nestedRow(uint8, 1)));

        Tensor int8 = new Tensor("y", DataType.INT8, shape(3), new byte[] {-128, 0, 127});
        assertEquals("[-128, 0, 127]", show(TensorJson.flat(int8)));
        assertEquals("127", show(TensorJson.nestedRow(int8, 2)));

        Tensor fp16 = new Tensor("y", DataType.FP16, shape(1, 3), new short[] {0x3c00, (short) 0xc000, 0x2e66});
        assertEquals("[1.0, -2.0, 0.099975586]", show(TensorJson.flat(fp16)));
        assertEquals("[[1.0, -2.0, 0.099975586]]", show(TensorJson.nested(fp16)));
    }

    @Test
    void outputsNestByShape() {
        Tensor cube = new Tensor("y", DataType.INT64, shape(2, 2, 2), new long[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals("[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]", show(TensorJson.nested(cube)));
        assertEquals("[[5, 6], [7, 8]]", show(TensorJson.nestedRow(cube, 1)));

        Tensor vector = new Tensor("y", DataType.FP32, shape(3), new float[] {1, 2, 3});
        assertEquals("[1.0, 2.0, 3.0]", show(TensorJson.nested(vector)));
        assertEquals("3.0", show(TensorJson.nestedRow(vector, 2)));

        assertEquals("true", show(TensorJson.nested(new Tensor("y", DataType.BOOL, shape(), new boolean[] {true}))));
        assertEquals("[]", show(TensorJson.nested(new Tensor("y", DataType.FP64, shape(0, 3), new double[0]))));
    }

    /** Nested lists and primitive arrays, printed alike. */
    static String show(Object nested) {
        if (nested instanceof List<?> list) {
            return list.stream().map(TensorJsonTest::show).toList().toString();
        } else if (nested instanceof float[] a) {
            return Arrays.toString(a);
        } else if (nested instanceof double[] a) {
            return Arrays.toString(a);
        } else if (nested instanceof long[] a) {
            return Arrays.toString(a);
        } else if (nested instanceof int[] a) {
            return Arrays.toString(a);
        } else if (nested instanceof boolean[] a) {
            return Arrays.toString(a);
        }
        return String.valueOf(nested);
    }

    @Test
    void theStreamingParserReportsTheFirstProblemTheTreeWalkFinds() {
        TensorSpec square = spec(DataType.FP32, -1, 2);
        // an array's width is checked before its elements, though the parser learns it only at the array's end
        assertTrue(refused(square, shape(2, 2), "[[1, \"a\"], [3, 4], [5, 6]]", 100).contains("depth 0 has 3"));
        assertTrue(refused(square, shape(2, 2), "[[1, \"a\", 3], [3, 4]]", 100).contains("depth 1 has 3"));
        assertTrue(refused(square, shape(2, 2), "[[1, 2], [\"a\", 4, 5]]", 100).contains("depth 1 has 3"));
        assertTrue(refused(square, shape(2, 2), "[[1, {\"a\": [1]}], [3, 4]]", 100).contains("element 1 is {"));
        assertTrue(refused(square, shape(2, 2), "[[1, 2], [3, [4]], [5]]", 100).contains("depth 0 has 3"));
        assertTrue(refused(square, shape(2, 2), "[[1, 2], [3, [4]]]", 100).contains("stands where a number"));
        assertTrue(refused(square, shape(2, 2), "[[1, 2], 3]", 100).contains("stands where an array"));
        assertTrue(refused(square, shape(2, 2), "[1, {\"a\": [1]}, 3, 4]", 100).contains("element 1 is {"));
        assertTrue(refused(square, shape(2, 2), "[1, 2, 3, 4, 5]", 100).contains("more elements"));
        assertTrue(refused(square, shape(2, 2), "[1, 2, [3], 4]", 100).contains("flat data with an array"));
        assertTrue(refused(square, shape(2, 2), "[[1, 2], [3, 4], [5, 6, 7]]", 100).contains("depth 0 has 3"));
        assertEquals(4, ((float[]) read(square, shape(2, 2), "[[1e0, -2], [3.25, 4]]", 100).data()).length);
    }

    @Test
    void floatsMustFitTheirTypeLikeIntegersDo() {
        String fp32 = refused(spec(DataType.FP32, -1), shape(2), "[1, 1e39]", 100);
        assertTrue(fp32.startsWith("input 'x' element 1 is ") && fp32.endsWith("expected a number within FP32's range"),
                fp32);
        String fp64 = refused(spec(DataType.FP64, -1), shape(1), "[-1e309]", 100);
        assertTrue(fp64.endsWith("expected a number within FP64's range"), fp64);
        assertArrayEquals(new float[] {3.4e38f}, (float[]) read(spec(DataType.FP32, -1), shape(1), "[3.4e38]", 100).data());
    }
}
