package dev.turnout.serving;

import dev.turnout.Fixtures;
import io.restassured.response.Response;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.Api.uploadAndActivate;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/**
 * A model whose output is far larger than its input (large-output.onnx: each input row becomes 20 million floats)
 * is registered and served, and a prediction over turnout.serving.max-output-elements is a clear 400, never a 500.
 */
@QuarkusTest
class OutputLimitApiTest {

    @Test
    void anOutputOverTheLimitIsRefusedWithA400() {
        // 201 and 200: the upload's smoke inference and the activation's warm-ups check the output without copying it
        String name = uploadAndActivate(Fixtures.uniqueName("large-output"), Fixtures.model("large-output.onnx"));

        tooLarge(infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[1,1]", "[1]")), "20000000");
        tooLarge(infer("/v1/models/" + name + ":predict", "{\"instances\": [[1.0], [2.0]]}"), "40000000");
    }

    private static void tooLarge(Response response, String elements) {
        response.then().statusCode(400);
        long limit = ConfigProvider.getConfig().getValue("turnout.serving.max-output-elements", Long.class);
        response.then().contentType("application/json")
                .body("code", equalTo("INVALID_ARGUMENT"))
                .body("error", containsString("output 'y' would have " + elements + " elements"))
                .body("error", containsString("limit of " + limit + " (turnout.serving.max-output-elements)"))
                .body("error", containsString("send a smaller batch"))
                .body(not(containsString("Exception")));
    }
}
