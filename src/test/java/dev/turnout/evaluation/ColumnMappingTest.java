package dev.turnout.evaluation;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColumnMappingTest {

    static final Signature MLP = new Signature(List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 4L))),
            List.of(new TensorSpec("probabilities", DataType.FP32, List.of(-1L, 3L))));
    static final List<String> COLUMNS = List.of("f1", "f2", "f3", "f4", "species");

    private static String refusal(Signature signature, Map<String, List<String>> inputs, String label, Task task) {
        TurnoutException e = assertThrows(TurnoutException.class,
                () -> ColumnMapping.check(2, signature, inputs, COLUMNS, label, task));
        assertEquals(ErrorCode.SIGNATURE_MISMATCH, e.code());
        return e.getMessage();
    }

    @Test
    void aMappingThatFitsIsAccepted() {
        ColumnMapping mapping = ColumnMapping.check(2, MLP, Map.of("x", List.of("f1", "f2", "f3", "f4")), COLUMNS,
                "species", Task.CLASSIFICATION);
        assertEquals(Integer.MAX_VALUE, mapping.maxBatch());
        assertTrue(mapping.accumulator(Task.CLASSIFICATION) instanceof ClassificationAccumulator);
    }

    @Test
    void everyMismatchIsNamed() {
        assertTrue(refusal(MLP, Map.of("x", List.of("f1", "f2", "f3")), "species", Task.CLASSIFICATION)
                .contains("takes 4 value(s) per row, but 3 column(s)"));
        assertTrue(refusal(MLP, Map.of("x", List.of("f1", "f2", "f3", "nope")), "species", Task.CLASSIFICATION)
                .contains("no column 'nope'"));
        assertTrue(refusal(MLP, Map.of("x", List.of("f1", "f2", "f3", "f4"), "z", List.of("f1")), "species",
                Task.CLASSIFICATION).contains("no input 'z'"));
        assertTrue(refusal(MLP, Map.of("y", List.of("f1")), "species", Task.CLASSIFICATION)
                .contains("input 'x' is not mapped"));
        assertTrue(refusal(MLP, Map.of("x", List.of("f1", "f2", "f3", "f4")), "kind", Task.CLASSIFICATION)
                .contains("no label column 'kind'"));
        assertTrue(refusal(MLP, Map.of("x", List.of("f1", "f2", "f3", "f4")), "species", Task.REGRESSION)
                .contains("regression scores one value per row"));
        Signature bools = new Signature(List.of(new TensorSpec("x", DataType.BOOL, List.of(-1L, 4L))), MLP.outputs());
        assertTrue(refusal(bools, Map.of("x", List.of("f1", "f2", "f3", "f4")), "species", Task.CLASSIFICATION)
                .contains("is BOOL"));
        Signature fixed = new Signature(List.of(new TensorSpec("x", DataType.FP32, List.of(8L, 4L))), MLP.outputs());
        assertTrue(refusal(fixed, Map.of("x", List.of("f1", "f2", "f3", "f4")), "species", Task.CLASSIFICATION)
                .contains("exactly 8 rows"));
    }
}
