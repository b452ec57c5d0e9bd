package dev.turnout.rollout;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which next versions keep the active version's clients served: inputs compared by name, dimension by dimension. */
class SignatureGuardTest {

    static TensorSpec spec(String name, DataType type, long... shape) {
        return new TensorSpec(name, type, Arrays.stream(shape).boxed().toList());
    }

    static Signature inputs(TensorSpec... inputs) {
        return new Signature(List.of(inputs), List.of(spec("y", DataType.FP32, -1, 1)));
    }

    static Optional<String> check(Signature active, Signature next) {
        return SignatureGuard.incompatibility(active, next);
    }

    @Test
    void theSameInputsAreCompatible() {
        Signature signature = inputs(spec("x", DataType.FP32, -1, 4), spec("mask", DataType.BOOL, -1, 4));
        assertEquals(Optional.empty(), check(signature, signature));
    }

    @Test
    void inputsAreMatchedByNameNotByPosition() {
        assertEquals(Optional.empty(), check(
                inputs(spec("x", DataType.FP32, -1, 4), spec("mask", DataType.BOOL, -1, 4)),
                inputs(spec("mask", DataType.BOOL, -1, 4), spec("x", DataType.FP32, -1, 4))));
    }

    @Test
    void aFixedDimensionMayBecomeDynamic() {
        assertEquals(Optional.empty(),
                check(inputs(spec("x", DataType.FP32, 1, 4)), inputs(spec("x", DataType.FP32, -1, -1))));
    }

    @Test
    void aDynamicDimensionMayNotBecomeFixed() {
        // clients of the active version may send any batch size; the next one would take only 8
        assertEquals(Optional.of("input x:FP32[-1, 4] becomes x:FP32[8, 4]"),
                check(inputs(spec("x", DataType.FP32, -1, 4)), inputs(spec("x", DataType.FP32, 8, 4))));
    }

    @Test
    void aFixedDimensionMayNotChangeSize() {
        assertEquals(Optional.of("input x:FP32[-1, 4] becomes x:FP32[-1, 3]"),
                check(inputs(spec("x", DataType.FP32, -1, 4)), inputs(spec("x", DataType.FP32, -1, 3))));
    }

    @Test
    void theDatatypeAndTheRankMustStay() {
        assertEquals(Optional.of("input x:FP32[-1, 4] becomes x:FP64[-1, 4]"),
                check(inputs(spec("x", DataType.FP32, -1, 4)), inputs(spec("x", DataType.FP64, -1, 4))));
        assertEquals(Optional.of("input x:FP32[-1, 4] becomes x:FP32[-1, 4, 1]"),
                check(inputs(spec("x", DataType.FP32, -1, 4)), inputs(spec("x", DataType.FP32, -1, 4, 1))));
        assertEquals(Optional.of("input x:FP32[-1, 4] becomes x:FP32[-1]"),
                check(inputs(spec("x", DataType.FP32, -1, 4)), inputs(spec("x", DataType.FP32, -1))));
    }

    @Test
    void aRenamedInputIsOneGoneAndOneNew() {
        assertEquals(Optional.of("input 'x' is gone; new input 'features' that clients do not send"),
                check(inputs(spec("x", DataType.FP32, -1, 4)), inputs(spec("features", DataType.FP32, -1, 4))));
    }

    @Test
    void anInputMayNeitherBeDroppedNorAdded() {
        Signature one = inputs(spec("x", DataType.FP32, -1, 4));
        Signature two = inputs(spec("x", DataType.FP32, -1, 4), spec("mask", DataType.BOOL, -1, 4));
        assertEquals(Optional.of("input 'mask' is gone"), check(two, one));
        assertEquals(Optional.of("new input 'mask' that clients do not send"), check(one, two));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertEquals(Optional.of("input a:FP32[-1] becomes a:INT64[-1]; input 'b' is gone; "
                        + "new input 'c' that clients do not send"),
                check(inputs(spec("a", DataType.FP32, -1), spec("b", DataType.FP32, -1)),
                        inputs(spec("a", DataType.INT64, -1), spec("c", DataType.FP32, -1))));
    }
}
