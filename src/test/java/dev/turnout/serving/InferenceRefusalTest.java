package dev.turnout.serving;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.Api.uploadAndActivate;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every malformed inference request gets a clear 4xx before the engine sees it, never a 500 or a stack trace. */
@QuarkusTest
class InferenceRefusalTest {

    static String linear;

    String oip;

    @BeforeEach
    void model() {
        if (linear == null) {
            linear = uploadAndActivate(Fixtures.uniqueName("refusals"), Fixtures.model("linear-v1.onnx"));
        }
        oip = "/v2/models/" + linear + "/infer";
    }

    static ValidatableResponse refused(Response response, int status, String messagePart) {
        return response.then().statusCode(status).contentType("application/json")
                .body("error", containsString(messagePart))
                .body(not(containsString("Exception")))
                .body(not(containsString("\tat ")));
    }

    @Test
    void unknownModelsAndVersions() {
        refused(infer("/v2/models/no-such-model/infer", oipRequest("x", "FP32", "[1,1]", "[1]")), 404, "no-such-model");
        refused(infer("/v2/models/" + linear + "/versions/42/infer", oipRequest("x", "FP32", "[1,1]", "[1]")), 404,
                "no version 42");
        refused(infer("/v2/models/" + linear + "/versions/latest/infer", oipRequest("x", "FP32", "[1,1]", "[1]")), 400,
                "whole numbers");
        refused(infer("/v1/models/no-such-model:predict", "{\"instances\": [[1.0]]}"), 404, "no-such-model");
        refused(infer("/v2/models/Bad..Name!/infer", "{}"), 400, "[a-z0-9]");
        given().get("/v2/models/no-such-model").then().statusCode(404).body("error", notNullValue());
        given().get("/v2/models/no-such-model/ready").then().statusCode(404);
        given().get("/v1/models/no-such-model").then().statusCode(404);
    }

    @Test
    void aModelWithoutAnActiveVersion() {
        String name = Fixtures.uniqueName("inactive");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        refused(infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[1,1]", "[1]")), 404,
                "PUT /api/models/" + name + "/active");
        given().get("/v2/models/{name}/ready", name).then().statusCode(503).body("ready", equalTo(false));
    }

    @Test
    void malformedBodies() {
        refused(infer(oip, "{not json"), 400, "not valid JSON");
        refused(infer(oip, ""), 400, "empty");
        refused(infer(oip, "[1, 2]"), 400, "JSON object");
        refused(infer(oip, "{\"inputs\": []}"), 400, "non-empty array");
        refused(infer(oip, "{\"id\": 7, \"inputs\": []}"), 400, "'id' must be a string");
        refused(infer(oip, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 1]}]}"), 400,
                "needs 'data'");
        refused(infer(oip, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [1]}]}"), 400,
                "needs a 'shape'");
        // a key given twice was resolved silently to its last value, where the management API refuses it
        String input = "{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 1], \"data\": [1]}";
        refused(infer(oip, "{\"inputs\": [" + input + "], \"inputs\": [" + input + "]}"), 400,
                "Duplicate field 'inputs'");
        refused(infer(oip, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 1], "
                + "\"data\": [1], \"data\": [3]}]}"), 400, "Duplicate field 'data'");
        refused(infer("/v1/models/" + linear + ":predict", "{\"instances\": [[1.0]], \"instances\": [[3.0]]}"), 400,
                "Duplicate field 'instances'");
        refused(infer("/predict", "{\"example\": [[1.0]], \"example\": [[3.0]]}"), 400, "Duplicate field 'example'");
        String deep = "[".repeat(40) + "1" + "]".repeat(40);
        refused(infer(oip, oipRequest("x", "FP32", "[1,1]", deep)), 400, "turnout.serving.max-json-depth");
    }

    @Test
    void inputNamesMustMatchTheSignature() {
        refused(infer(oip, oipRequest("z", "FP32", "[1,1]", "[1]")), 400, "unknown input 'z'");
        String twice = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1,1], \"data\": [1]},"
                + "{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1,1], \"data\": [1]}]}";
        refused(infer(oip, twice), 400, "given twice");
        refused(infer(oip, "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1,1], \"data\": [1]}],"
                + " \"outputs\": [{\"name\": \"nope\"}]}"), 400, "unknown output 'nope'");
        refused(infer("/v1/models/" + linear + ":predict", "{\"inputs\": {\"z\": [[1.0]]}}"), 400, "unknown input 'z'");
        StringBuilder many = new StringBuilder("{\"inputs\": [");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("{\"name\": \"x").append(i)
                    .append("\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}");
        }
        refused(infer(oip, many.append("]}").toString()), 400, "turnout.serving.max-inputs");
    }

    @Test
    void datatypesMustMatch() {
        refused(infer(oip, oipRequest("x", "FP64", "[1,1]", "[1]")), 400, "FP64 but the model takes FP32");
        refused(infer(oip, oipRequest("x", "UINT16", "[1,1]", "[1]")), 400, "not supported");
        refused(infer(oip, oipRequest("x", "BYTES", "[1,1]", "[\"a\"]")), 400, "not supported");
        refused(infer(oip, oipRequest("x", "float32", "[1,1]", "[1]")), 400, "not supported");
    }

    @Test
    void shapesMustFitTheSignature() {
        refused(infer(oip, oipRequest("x", "FP32", "[3]", "[1, 2, 3]")), 400, "the model takes FP32[-1, 1]");
        refused(infer(oip, oipRequest("x", "FP32", "[1, 2]", "[1, 2]")), 400, "dimension 1 must be 1");
        refused(infer(oip, oipRequest("x", "FP32", "[-1, 1]", "[1]")), 400, "empty");
        refused(infer(oip, oipRequest("x", "FP32", "[0, 1]", "[]")), 400, "empty batches");
        refused(infer(oip, oipRequest("x", "FP32", "[1.5, 1]", "[1]")), 400, "whole numbers");
        refused(infer(oip, oipRequest("x", "FP32", "[5000000, 1]", "[1]")), 400, "turnout.serving.max-tensor-elements");
        refused(infer("/v1/models/" + linear + ":predict", "{\"instances\": []}"), 400, "empty batch");
        refused(infer("/v1/models/" + linear + ":predict", "{\"instances\": [1.0, 2.0]}"), 400, "the model takes");
    }

    @Test
    void elementCountsMustMatchTheShape() {
        refused(infer(oip, oipRequest("x", "FP32", "[2, 1]", "[1, 2, 3]")), 400, "more elements");
        refused(infer(oip, oipRequest("x", "FP32", "[2, 1]", "[[1]]")), 400, "not a rectangular array of shape [2, 1]");
        refused(infer("/v1/models/" + linear + ":predict", "{\"instances\": [[1.0], [2.0, 3.0]]}"), 400, "elements");
    }

    @Test
    void dataMustBeNumeric() {
        refused(infer(oip, oipRequest("x", "FP32", "[1, 1]", "[\"seven\"]")), 400, "expected a number");
        refused(infer(oip, oipRequest("x", "FP32", "[1, 1]", "[true]")), 400, "expected a number");
        refused(infer(oip, oipRequest("x", "FP32", "[1, 1]", "[null]")), 400, "expected a number");
        refused(infer(oip, oipRequest("x", "FP32", "[1, 1]", "[{}]")), 400, "expected a number");
        uploadAndActivate("flask-linear", Fixtures.model("linear-v1.onnx")); // the test profile's default model
        refused(infer("/predict", "{\"example\": [[\"3.0\"]]}"), 400, "expected a number");
    }

    @Test
    void protocolFormsMustBeChosen() {
        refused(infer("/v1/models/" + linear + ":predict", "{\"instances\": [[1]], \"inputs\": [[1]]}"), 400, "exactly one");
        refused(infer("/v1/models/" + linear + ":predict", "{}"), 400, "exactly one");
        refused(infer("/v1/models/" + linear + ":predict", "{\"signature_name\": \"other\", \"instances\": [[1]]}"), 400,
                "serving_default");
        refused(infer("/predict", "{\"example\": [[1]], \"input_data\": [[1]]}"), 400, "example");
        refused(infer("/predict", "{\"rows\": [[1]]}"), 400, "example");
    }

    @Test
    void oversizedBodies() throws Exception {
        String huge = oipRequest("x", "FP32", "[1, 1]", "[1" + " ".repeat(300 * 1024) + "]");
        refused(infer(oip, huge), 413, "turnout.serving.max-request-size");
        // without a Content-Length (chunked) it is refused before it is read: inference bodies are buffered whole
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(io.restassured.RestAssured.baseURI + ":"
                        + io.restassured.RestAssured.port + oip))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge.getBytes())))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(chunked, HttpResponse.BodyHandlers.ofString());
        assertEquals(411, response.statusCode(), response.body());
        assertTrue(response.body().contains("Content-Length"), response.body());
    }
}
