package dev.turnout.engine;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * large-output.onnx turns each input row into 20 million floats (80 MB). Proving it at upload and warming it up must
 * not copy that output to the Java heap, and a prediction must refuse it before copying.
 */
@QuarkusTest
class LargeOutputTest {

    static final long OUTPUT_BYTES = 20_000_000L * Float.BYTES;

    static final Path MODEL = Fixtures.model("large-output.onnx").toPath();

    @Inject
    ModelLoader loader;

    @Test
    void theUploadProofReadsOutputShapesWithoutCopyingTheData() throws Exception {
        long before = allocatedByThisThread();
        try (LoadedModel model = loader.inspect(MODEL, ModelFormat.ONNX, null)) {
            long allocated = allocatedByThisThread() - before;
            assertTrue(allocated < OUTPUT_BYTES / 4, "the proof allocated " + allocated + " bytes on the heap");
            assertEquals(List.of(new TensorSpec("y", DataType.FP32, List.of(-1L, 20_000_000L))),
                    model.signature().outputs());
        }
    }

    @Test
    void warmUpsReadOutputShapesWithoutCopyingTheData() throws Exception {
        Signature signature = new Signature(List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 1L))),
                List.of(new TensorSpec("y", DataType.FP32, List.of(-1L, 20_000_000L))));
        long before = allocatedByThisThread();
        try (LoadedModel model = loader.load(MODEL, ModelFormat.ONNX, signature, LoadedModel.PoolSize.SINGLE, 3)) {
            long allocated = allocatedByThisThread() - before;
            assertTrue(allocated < OUTPUT_BYTES / 4, "three warm-ups allocated " + allocated + " bytes on the heap");
            assertEquals(3, model.inferences());
        }
    }

    @Test
    void aPredictionOverTheLimitIsRefusedBeforeCopying() throws Exception {
        Tensor[] oneRow = {new Tensor("x", DataType.FP32, new long[] {1, 1}, new float[] {1f})};
        try (LoadedModel model = loader.inspect(MODEL, ModelFormat.ONNX, null)) {
            long before = allocatedByThisThread();
            OutputTooLargeException refused = assertThrows(OutputTooLargeException.class, () -> model.predict(oneRow));
            long allocated = allocatedByThisThread() - before;
            assertTrue(allocated < OUTPUT_BYTES / 4, "the refusal allocated " + allocated + " bytes on the heap");
            assertEquals("y", refused.output());
            assertEquals(20_000_000L, refused.elements());
            assertTrue(refused.getMessage().contains("turnout.serving.max-output-elements"), refused.getMessage());
        }
    }

    /** Heap bytes this thread has allocated so far (the engines compute in native memory, which is not counted). */
    static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
