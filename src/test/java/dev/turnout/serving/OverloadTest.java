package dev.turnout.serving;

import dev.turnout.Fixtures;
import dev.turnout.engine.OverloadedException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.Api.uploadAndActivate;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpressure over HTTP: with every inference thread busy and the queue full, a prediction is refused at once with
 * 503 and Retry-After, not queued without bound; once the threads free up, the same request is answered.
 */
@QuarkusTest
class OverloadTest {

    @Inject
    InferenceExecutor inference;

    @Test
    void aFullInferenceQueueAnswers503WithRetryAfter() throws Exception {
        String name = uploadAndActivate(Fixtures.uniqueName("overload"), Fixtures.model("linear-v1.onnx"));
        String request = oipRequest("x", "FP32", "[1, 1]", "[3.0]");
        infer("/v2/models/" + name + "/infer", request).then().statusCode(200);

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(inference.threads());
        try {
            for (int i = 0; i < inference.threads(); i++) {
                inference.execute(() -> {
                    running.countDown();
                    await(release);
                });
            }
            assertTrue(running.await(10, TimeUnit.SECONDS), "every inference thread is busy");
            while (true) { // fill the queue until the executor itself refuses
                try {
                    inference.execute(() -> { });
                } catch (OverloadedException full) {
                    break;
                }
            }

            infer("/v2/models/" + name + "/infer", request).then().statusCode(503)
                    .header("Retry-After", "1")
                    .contentType("application/json")
                    .body("code", equalTo("OVERLOADED"))
                    .body("error", containsString("inference threads are busy"));
            infer("/v1/models/" + name + ":predict", "{\"instances\": [[3.0]]}").then().statusCode(503)
                    .header("Retry-After", "1"); // every protocol shares the threads
        } finally {
            release.countDown();
        }
        // the queue filled above drains on the inference threads first; until then a prediction is still refused
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inference.queued() > 0) {
            assertTrue(System.nanoTime() < deadline, "the queue drained once the threads were released");
            Thread.sleep(5);
        }
        infer("/v2/models/" + name + "/infer", request).then().statusCode(200)
                .body("outputs[0].data", contains(7.0f));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
