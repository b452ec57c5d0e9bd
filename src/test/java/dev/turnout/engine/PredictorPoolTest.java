package dev.turnout.engine;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Backpressure: with every predictor busy and no queue room, a call is refused at once instead of waiting. */
@QuarkusTest
class PredictorPoolTest {

    @Inject
    ModelLoader loader;

    @Test
    void aFullPoolRefusesInsteadOfQueueing() throws Exception {
        Signature signature = new Signature(
                List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 1L))),
                List.of(new TensorSpec("y", DataType.FP32, List.of(-1L, 1L))));
        Tensor[] three = {new Tensor("x", DataType.FP32, new long[] {1, 1}, new float[] {3f})};
        try (LoadedModel model = loader.load(Fixtures.model("linear-v1.onnx").toPath(), ModelFormat.ONNX, signature,
                new LoadedModel.PoolSize(1, 0), 1)) {
            try (PredictorPool.Borrowed busy = model.pool().borrow()) {
                assertThrows(OverloadedException.class, () -> model.predict(three));
            }
            assertArrayEquals(new float[] {7f}, (float[]) model.predict(three)[0].data());
        }
    }
}
