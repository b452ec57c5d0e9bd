package dev.turnout.serving;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarmupBodiesTest {

    private static Signature of(TensorSpec... inputs) {
        return new Signature(List.of(inputs), List.of(new TensorSpec("y", DataType.FP32, List.of(-1L, 1L))));
    }

    @Test
    void oipBodiesAreOneRowOfZerosWithDynamicDimensionsOne() {
        Signature signature = of(new TensorSpec("x", DataType.FP32, List.of(-1L, 2L)),
                new TensorSpec("mask", DataType.BOOL, List.of(1L)), new TensorSpec("ids", DataType.INT64, List.of(-1L)));
        assertEquals(Optional.of("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[0.0,0.0]},"
                        + "{\"name\":\"mask\",\"datatype\":\"BOOL\",\"shape\":[1],\"data\":[false]},"
                        + "{\"name\":\"ids\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[0]}]}"),
                WarmupBodies.oip(signature));
    }

    @Test
    void theSimpleFormNestsTheOneInputsShape() {
        assertEquals(Optional.of("{\"example\":[[0.0,0.0,0.0]]}"),
                WarmupBodies.simple(of(new TensorSpec("x", DataType.FP32, List.of(-1L, 3L)))));
        assertEquals(Optional.empty(), WarmupBodies.simple(of(new TensorSpec("a", DataType.FP32, List.of(1L)),
                new TensorSpec("b", DataType.FP32, List.of(1L)))));
    }

    @Test
    void inputsTooBigForAJsonWarmupAreSkipped() {
        Signature image = of(new TensorSpec("image", DataType.FP32, List.of(-1L, 3L, 224L, 224L)));
        assertEquals(Optional.empty(), WarmupBodies.oip(image));
        assertEquals(Optional.empty(), WarmupBodies.simple(image));
    }
}
