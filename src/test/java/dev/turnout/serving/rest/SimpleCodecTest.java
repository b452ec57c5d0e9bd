package dev.turnout.serving.rest;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;

import static dev.turnout.serving.rest.TensorJsonTest.json;
import static dev.turnout.serving.rest.TensorJsonTest.show;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** TF Serving and {"example": ...} bodies: shapes from the JSON nesting, types from the signature. */
class SimpleCodecTest {

    static final TensorSpec Y = new TensorSpec("y", DataType.FP32, List.of(-1L, 1L));
    static final Signature ONE_INPUT = new Signature(List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 1L))),
            List.of(Y));
    static final Signature TWO_INPUTS = new Signature(List.of(
            new TensorSpec("x", DataType.FP32, List.of(-1L, 2L)), new TensorSpec("mask", DataType.BOOL, List.of(-1L))),
            List.of(Y));

    static String refused(Executable decode) {
        TurnoutException e = assertThrows(TurnoutException.class, decode);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        return e.getMessage();
    }

    @Test
    void aSingleInputIsGivenBareOrByName() {
        Tensor[] bare = SimpleCodec.columns(json("[[3.0], [4.0]]"), ONE_INPUT, 100, "'inputs'");
        Tensor[] named = SimpleCodec.columns(json("{\"x\": [[3.0], [4.0]]}"), ONE_INPUT, 100, "'inputs'");
        assertEquals(1, bare.length);
        assertArrayEquals(new long[] {2, 1}, bare[0].shape());
        assertArrayEquals(new float[] {3, 4}, (float[]) bare[0].data());
        assertArrayEquals((float[]) bare[0].data(), (float[]) named[0].data());
    }

    @Test
    void severalInputsComeByNameAndLeaveInSignatureOrder() {
        Tensor[] tensors = SimpleCodec.columns(json("{\"mask\": [true], \"x\": [[1, 2]]}"), TWO_INPUTS, 100,
                "'inputs'");
        assertEquals("x", tensors[0].name());
        assertEquals("mask", tensors[1].name());
        assertArrayEquals(new boolean[] {true}, (boolean[]) tensors[1].data());
    }

    @Test
    void whatCannotBeAnInputIsRefusedNamingWhatTheModelTakes() {
        assertEquals("'inputs' must be an object keyed by input name; the model takes [x:FP32[-1, 2], mask:BOOL[-1]]",
                refused(() -> SimpleCodec.columns(json("[[1, 2]]"), TWO_INPUTS, 100, "'inputs'")));
        assertEquals("'inputs' must be a number, a boolean or a (nested) array of them; "
                        + "the model takes [x:FP32[-1, 1]]",
                refused(() -> SimpleCodec.columns(json("\"3.0\""), ONE_INPUT, 100, "'inputs'")));
        refused(() -> SimpleCodec.columns(json("null"), ONE_INPUT, 100, "'inputs'"));
        assertEquals("unknown input 'z?'; the model takes [x:FP32[-1, 2], mask:BOOL[-1]]",
                refused(() -> SimpleCodec.columns(json("{\"x\": [[1, 2]], \"mask\": [true], \"z\\n\": 1}"), TWO_INPUTS,
                        100, "'inputs'")));
        assertEquals("input 'mask' is missing; the model takes [x:FP32[-1, 2], mask:BOOL[-1]]",
                refused(() -> SimpleCodec.columns(json("{\"x\": [[1, 2]]}"), TWO_INPUTS, 100, "'inputs'")));
    }

    @Test
    void theSignatureStillDecidesShapesTypesAndLimits() {
        assertEquals("input 'x' has shape [2] but the model takes FP32[-1, 1] (-1: any size)",
                refused(() -> SimpleCodec.columns(json("[3.0, 4.0]"), ONE_INPUT, 100, "'inputs'")));
        assertEquals("input 'x' element 0 is \"3\"; expected a number (FP32)",
                refused(() -> SimpleCodec.columns(json("[[\"3\"]]"), ONE_INPUT, 100, "'inputs'")));
        assertEquals("input 'x' has shape [3, 1], more than the 2 elements a tensor may have "
                        + "(turnout.serving.max-tensor-elements)",
                refused(() -> SimpleCodec.columns(json("[[1], [2], [3]]"), ONE_INPUT, 2, "'inputs'")));
    }

    @Test
    void instancesAreRowsStackedAlongANewFirstDimension() {
        Tensor[] one = SimpleCodec.rows(json("[[3.0], [4.0], [5.0]]"), ONE_INPUT, 100);
        assertArrayEquals(new long[] {3, 1}, one[0].shape());
        assertArrayEquals(new float[] {3, 4, 5}, (float[]) one[0].data());

        Tensor[] two = SimpleCodec.rows(json("[{\"x\": [1, 2], \"mask\": true}, {\"mask\": false, \"x\": [3, 4]}]"),
                TWO_INPUTS, 100);
        assertArrayEquals(new long[] {2, 2}, two[0].shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, (float[]) two[0].data());
        assertArrayEquals(new long[] {2}, two[1].shape());
        assertArrayEquals(new boolean[] {true, false}, (boolean[]) two[1].data());
    }

    @Test
    void instancesMustBeANonEmptyArrayOfWholeRows() {
        String empty = "'instances' must be a non-empty array: an empty batch cannot be predicted";
        assertEquals(empty, refused(() -> SimpleCodec.rows(json("[]"), ONE_INPUT, 100)));
        assertEquals(empty, refused(() -> SimpleCodec.rows(json("{\"x\": [[1]]}"), ONE_INPUT, 100)));
        assertEquals("each instance must be an object keyed by input name; "
                        + "the model takes [x:FP32[-1, 2], mask:BOOL[-1]]",
                refused(() -> SimpleCodec.rows(json("[[1, 2]]"), TWO_INPUTS, 100)));
        assertEquals("input 'mask' is missing; the model takes [x:FP32[-1, 2], mask:BOOL[-1]]",
                refused(() -> SimpleCodec.rows(json("[{\"x\": [1, 2], \"mask\": true}, {\"x\": [3, 4]}]"),
                        TWO_INPUTS, 100)));
        // rows of different lengths
        assertEquals("input 'x' is not a rectangular array of shape [2, 2]: an array at depth 1 has 1 elements, not 2",
                refused(() -> SimpleCodec.rows(json("[{\"x\": [1, 2], \"mask\": true}, {\"x\": [3], \"mask\": true}]"),
                        TWO_INPUTS, 100)));
    }

    @Test
    void oneOutputIsAnsweredBareSeveralByName() {
        Tensor y = new Tensor("y", DataType.FP32, new long[] {2, 1}, new float[] {7, 9});
        Tensor label = new Tensor("label", DataType.INT64, new long[] {2}, new long[] {1, 0});
        assertEquals("[[7.0], [9.0]]", show(SimpleCodec.columnsOut(new Tensor[] {y})));
        assertEquals("[[7.0], [9.0]]", show(SimpleCodec.rowsOut(new Tensor[] {y})));

        Map<?, ?> columns = (Map<?, ?>) SimpleCodec.columnsOut(new Tensor[] {y, label});
        assertEquals(List.of("y", "label"), List.copyOf(columns.keySet()));
        assertEquals("[1, 0]", show(columns.get("label")));

        Object[] rows = (Object[]) SimpleCodec.rowsOut(new Tensor[] {y, label});
        assertEquals(2, rows.length);
        Map<?, ?> second = (Map<?, ?>) rows[1];
        assertEquals("[9.0]", show(second.get("y")));
        assertEquals("0", show(second.get("label")));
    }

    @Test
    void theRowFormNeedsOneBatchDimensionAcrossOutputs() {
        Tensor y = new Tensor("y", DataType.FP32, new long[] {2, 1}, new float[] {7, 9});
        Tensor scalar = new Tensor("count", DataType.INT64, new long[] {}, new long[] {2});
        Tensor longer = new Tensor("extra", DataType.INT64, new long[] {3}, new long[] {1, 2, 3});
        for (Tensor[] outputs : new Tensor[][] {{y, scalar}, {y, longer}}) {
            TurnoutException e = assertThrows(TurnoutException.class, () -> SimpleCodec.rowsOut(outputs));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("send \"inputs\" for the columnar form"), e.getMessage());
        }
    }
}
