package dev.turnout.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static dev.turnout.engine.LargeOutputTest.allocatedByThisThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The translators' output side, on real ONNX Runtime NDArrays and without Quarkus. */
class TensorTranslatorTest {

    static final int LARGE = 4_000_000; // 16 MB as FP32
    static final long COPY_BYTES = (long) LARGE * Float.BYTES;

    static final Signature SIGNATURE = new Signature(
            List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 1L))),
            List.of(new TensorSpec("small", DataType.FP32, List.of(-1L, 2L)),
                    new TensorSpec("y", DataType.FP32, List.of(-1L, (long) LARGE))));

    static NDManager manager;

    @BeforeAll
    static void engine() throws Exception {
        DjlEnvironment.configure(Path.of("target", "test-data", "djl"), 1);
        manager = Engine.getEngine("OnnxRuntime").newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** A small output, then a large one; neither named, as TorchScript returns them. */
    static NDList outputs() {
        NDArray small = manager.create(new float[] {1f, 2f}, new Shape(1, 2));
        NDArray large = manager.create(new float[LARGE], new Shape(1, LARGE));
        return new NDList(small, large);
    }

    @Test
    void refusesAnOutputOverTheLimitBeforeCopyingAnyOutput() {
        NDList outputs = outputs();
        TensorTranslator translator = new TensorTranslator(SIGNATURE, LARGE - 1);
        long before = allocatedByThisThread();
        OutputTooLargeException refused = assertThrows(OutputTooLargeException.class,
                () -> translator.processOutput(null, outputs));
        long allocated = allocatedByThisThread() - before;
        assertTrue(allocated < COPY_BYTES / 4, "refusing allocated " + allocated + " bytes");
        assertEquals("y", refused.output());
        assertEquals(LARGE, refused.elements());
        assertEquals(LARGE - 1, refused.limit());
        assertEquals("output 'y' has 4000000 elements, more than the 3999999 a prediction may return "
                + "(turnout.serving.max-output-elements)", refused.getMessage());
    }

    @Test
    void copiesOutputsUpToTheLimit() {
        Tensor[] copied = new TensorTranslator(SIGNATURE, LARGE).processOutput(null, outputs());
        assertEquals("small", copied[0].name());
        assertArrayEquals(new float[] {1f, 2f}, (float[]) copied[0].data());
        assertArrayEquals(new long[] {1, LARGE}, copied[1].shape());
        assertEquals(LARGE, ((float[]) copied[1].data()).length);
    }

    @Test
    void theProbeDescribesOutputsWithoutCopyingThem() {
        NDList outputs = outputs();
        outputs.get(1).setName("named-by-the-engine");
        long before = allocatedByThisThread();
        TensorSpec[] described = new OutputShapeTranslator(SIGNATURE).processOutput(null, outputs);
        long allocated = allocatedByThisThread() - before;
        assertTrue(allocated < COPY_BYTES / 4, "describing allocated " + allocated + " bytes");
        assertArrayEquals(new TensorSpec[] {
                new TensorSpec("small", DataType.FP32, List.of(1L, 2L)),
                new TensorSpec("named-by-the-engine", DataType.FP32, List.of(1L, (long) LARGE))}, described);
    }

    @Test
    void outputsOfTypesThatCannotBeServedAreRefused() {
        NDList strings = new NDList(manager.create(new String[] {"a", "b"}));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new OutputShapeTranslator(SIGNATURE).processOutput(null, strings));
        assertTrue(refused.getMessage().contains("cannot be served"), refused.getMessage());
    }

    @Test
    void smallTypesCrossTheEngineBoundaryBitForBit() {
        Tensor[] inputs = {
            new Tensor("u", DataType.UINT8, new long[] {1, 3}, new byte[] {0, (byte) 128, (byte) 255}),
            new Tensor("i", DataType.INT8, new long[] {3}, new byte[] {-128, 0, 127}),
            new Tensor("h", DataType.FP16, new long[] {2}, new short[] {0x3c00, (short) 0xfbff})};
        NDList engine = TensorTranslator.toEngine(manager, inputs);
        assertEquals(ai.djl.ndarray.types.DataType.UINT8, engine.get(0).getDataType());
        assertEquals(ai.djl.ndarray.types.DataType.INT8, engine.get(1).getDataType());
        assertEquals(ai.djl.ndarray.types.DataType.FLOAT16, engine.get(2).getDataType());
        Tensor[] back = new TensorTranslator(SIGNATURE, LARGE).processOutput(null, engine);
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(inputs[i].datatype(), back[i].datatype());
            assertArrayEquals(inputs[i].shape(), back[i].shape());
        }
        assertArrayEquals((byte[]) inputs[0].data(), (byte[]) back[0].data());
        assertArrayEquals((byte[]) inputs[1].data(), (byte[]) back[1].data());
        assertArrayEquals((short[]) inputs[2].data(), (short[]) back[2].data());
    }
}
