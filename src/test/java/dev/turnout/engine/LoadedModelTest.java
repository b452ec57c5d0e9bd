package dev.turnout.engine;

import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model whose predictors cannot all be made is closed, not leaked with the native memory it holds. */
@QuarkusTest
class LoadedModelTest {

    @Inject
    ModelLoader loader; // sets up DJL's offline environment

    /** A real ONNX Runtime model whose second predictor cannot be made (as when native memory runs out). */
    static final class SecondPredictorFails extends ZooModel<Tensor[], Tensor[]> {
        int made;
        boolean closed;

        SecondPredictorFails(ZooModel<Tensor[], Tensor[]> real) {
            super(real.getWrappedModel(), real.getTranslator());
        }

        @Override
        public Predictor<Tensor[], Tensor[]> newPredictor() {
            if (++made == 2) {
                throw new EngineException("cannot create a second session (test)");
            }
            return super.newPredictor();
        }

        @Override
        public void close() {
            closed = true;
            super.close();
        }
    }

    @Test
    void aFailedPredictorPoolClosesTheModel() throws Exception {
        Signature signature = new Signature(
                List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 1L))),
                List.of(new TensorSpec("y", DataType.FP32, List.of(-1L, 1L))));
        ZooModel<Tensor[], Tensor[]> real = Criteria.builder().setTypes(Tensor[].class, Tensor[].class)
                .optEngine("OnnxRuntime").optModelPath(Fixtures.model("linear-v1.onnx").toPath())
                .optTranslator(new TensorTranslator(signature, 1000)).build().loadModel();
        SecondPredictorFails model = new SecondPredictorFails(real);

        assertThrows(EngineException.class, () -> new LoadedModel(ModelFormat.ONNX, signature, model,
                new LoadedModel.PoolSize(2, 0)));
        assertTrue(model.closed, "the model (and its native session) leaked");
    }
}
