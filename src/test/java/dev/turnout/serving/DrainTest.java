package dev.turnout.serving;

import dev.turnout.Fixtures;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static dev.turnout.Api.activate;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replaced version drains: it closes once its last request is done. Its native memory (ONNX Runtime session,
 * TorchScript module) is never freed under a request still running, however long that request takes.
 */
@QuarkusTest
class DrainTest {

    @Inject
    ModelServer server;
    @Inject
    TurnoutConfig config;

    @Test
    void aVersionOutlivingTheDrainTimeoutIsNotClosedUnderItsRequest() throws Exception {
        String name = Fixtures.uniqueName("drain");
        for (String file : new String[] {"linear-v1.onnx", "linear-v2.onnx"}) {
            given().multiPart("artifact", Fixtures.model(file)).post("/api/models/{name}/versions", name)
                    .then().statusCode(201);
        }
        activate(name, 1);
        ServedModel replaced;
        try (ServedModel.Lease slowRequest = server.lease(name)) {
            replaced = slowRequest.model();
            activate(name, 2);
            Thread.sleep(config.rollout().drainTimeout().toMillis() + 1500);

            assertFalse(replaced.isClosed(), "the drain timeout closed a version under a request in flight");
            Tensor[] out = slowRequest.predict(new Tensor[] {
                    new Tensor("x", DataType.FP32, new long[] {1, 1}, new float[] {3.0f})});
            assertArrayEquals(new float[] {7.0f}, (float[]) out[0].data());
        }
        assertTrue(replaced.isClosed(), "a drained version closes once its last request is done");
    }
}
