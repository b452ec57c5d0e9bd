package dev.turnout.delivery;

import dev.turnout.Fixtures;
import dev.turnout.serving.ShadowMirror;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.delivery.DeliveryApiTest.act;
import static dev.turnout.delivery.DeliveryApiTest.awaitState;
import static dev.turnout.delivery.DeliveryApiTest.modelWith;
import static dev.turnout.delivery.DeliveryApiTest.start;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shadow rollouts through the rollout API: the mirror follows the rollout, clients get exactly the bytes they got
 * without it, the disagreement is reported and a breach aborts; a shadow that passes is paused for an operator, who
 * promotes it.
 */
@QuarkusTest
class ShadowRolloutTest {

    @Inject
    ShadowMirror mirror;

    @Test
    void aDifferingCandidateIsReportedAndAbortedWhileClientsSeeNoChange() throws Exception {
        String name = modelWith("linear-v2.onnx"); // 2x + 1 active, 3x + 2 in the shadow: they disagree at x = 3
        String request = oipRequest("x", "FP32", "[1, 1]", "[3.0]");
        String path = "/v2/models/" + name + "/infer";
        byte[] without = infer(path, request).then().statusCode(200).extract().asByteArray();

        start(name, "{\"version\":2,\"strategy\":\"shadow\",\"sample\":0.2,\"duration\":\"10m\","
                + "\"analysis\":{\"max_disagreement\":0.02}}").statusCode(201);
        awaitMirrored(name);
        for (int i = 0; i < 400 && mirror.target(name).isPresent(); i++) {
            var answer = infer(path, request).then().statusCode(200).header("X-Turnout-Model-Version", "1").extract();
            assertArrayEquals(without, answer.asByteArray(), "byte-identical to the answer without a shadow");
        }
        awaitState(name, "ABORTED");
        given().get("/api/models/{name}/rollouts/current", name).then().statusCode(200)
                .body("outcome", containsString("disagreed with the active version"))
                .body("figures.shadow.runs", greaterThan(2))
                .body("figures.shadow.disagreement", equalTo(1.0f))
                .body("decisions[0].verdict", equalTo("ABORT"));
        awaitUnmirrored(name);
        assertArrayEquals(without, infer(path, request).then().statusCode(200).extract().asByteArray());
    }

    @Test
    void aShadowThatPassesIsPausedAndPromotedByAnOperator() throws Exception {
        String name = modelWith();
        // the same function as TorchScript: it agrees with the active ONNX version within the tolerance
        given().multiPart("artifact", Fixtures.model("linear-v1.pt")).multiPart("signature", Fixtures.LINEAR_SIGNATURE)
                .post("/api/models/{name}/versions", name).then().statusCode(201);
        start(name, "{\"version\":2,\"strategy\":\"shadow\",\"sample\":1.0,\"duration\":\"1s\","
                + "\"analysis\":{\"max_disagreement\":0.01,\"min_requests\":20}}").statusCode(201);
        awaitMirrored(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String state = "RUNNING";
        for (int i = 0; "RUNNING".equals(state) && System.nanoTime() < deadline; i++) {
            infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[2, 1]", "[" + i + ", -0.5]"))
                    .then().statusCode(200).header("X-Turnout-Model-Version", "1");
            state = given().get("/api/models/{name}/rollouts/current", name).then().extract().path("state");
        }
        assertEquals("PAUSED", state);
        given().get("/api/models/{name}/rollouts/current", name).then()
                .body("decisions[0].verdict", equalTo("HOLD"))
                .body("figures.shadow.disagreements", equalTo(0))
                .body("figures.shadow.runs", greaterThan(19));
        assertTrue(given().get("/api/models/{name}/activations", name).then().extract().asString()
                .contains("the shadow passed"), "the pause is in the history with its reason");
        act(name, "promote").statusCode(200).body("state", equalTo("PROMOTED"));
        given().get("/api/models/{name}", name).then().body("active_version", equalTo(2));
        awaitUnmirrored(name);
    }

    private void awaitMirrored(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (mirror.target(name).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(mirror.target(name).isPresent(), "every replica mirrors once it loaded the candidate");
    }

    private void awaitUnmirrored(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (mirror.target(name).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(mirror.target(name).isEmpty(), "the mirror stops once the shadow ended: " + Arrays.toString(
                mirror.targets().toArray()));
    }
}
