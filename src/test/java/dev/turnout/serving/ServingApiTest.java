package dev.turnout.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.Fixtures;
import static dev.turnout.Api.activate;
import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.Api.uploadAndActivate;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every protocol, over HTTP, against real models: values checked against known answers. */
@QuarkusTest
class ServingApiTest {

    static final ObjectMapper JSON = new ObjectMapper();


    @Test
    void oipInferenceOnTheActiveOnnxVersion() {
        String name = uploadAndActivate(Fixtures.uniqueName("oip"), Fixtures.model("linear-v1.onnx"));
        Response response = infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[2, 1]", "[[3.0], [0.5]]"));
        response.then().statusCode(200)
                .header("X-Turnout-Model", name)
                .header("X-Turnout-Model-Version", "1")
                .header("X-Turnout-Model-Sha256", notNullValue())
                .body("model_name", equalTo(name))
                .body("model_version", equalTo("1"))
                .body("id", equalTo("req-1"))
                .body("outputs[0].name", equalTo("y"))
                .body("outputs[0].datatype", equalTo("FP32"))
                .body("outputs[0].shape", contains(2, 1))
                .body("outputs[0].data", contains(7.0f, 2.0f));
        OipSchemas.assertValid("inference_response", response.asString());
    }

    @Test
    void aBodyLargerThanTheIoBufferIsStreamedAndAnswered() throws Exception {
        // the test profile buffers 64K on the I/O thread; this 20,000-row batch (about 100K) goes the streamed way
        String name = uploadAndActivate(Fixtures.uniqueName("oip-big"), Fixtures.model("linear-v1.onnx"));
        int rows = 20_000;
        String data = String.join(",", java.util.Collections.nCopies(rows, "3.0"));
        String body = oipRequest("x", "FP32", "[" + rows + ", 1]", "[" + data + "]");
        assertTrue(body.length() > 64 * 1024, "larger than the I/O buffer");
        JsonNode outputs = JSON.readTree(infer("/v2/models/" + name + "/infer", body).then().statusCode(200)
                .extract().asString()).at("/outputs/0/data");
        assertEquals(rows, outputs.size());
        outputs.forEach(y -> assertEquals(7.0, y.doubleValue(), "every row is 2 * 3 + 1"));
    }

    @Test
    void aModelRefusedAsInactiveIsServedAsSoonAsItIsActivated() {
        String name = Fixtures.uniqueName("late");
        String request = oipRequest("x", "FP32", "[1, 1]", "[3.0]");
        infer("/v2/models/" + name + "/infer", request).then().statusCode(404).body("error", containsString("no model"));
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        // the replica remembers its 404s for a moment; an upload changes nothing served, so the answer may lag ...
        infer("/v2/models/" + name + "/infer", request).then().statusCode(404);
        activate(name, 1); // ... but a flip is seen at once
        infer("/v2/models/" + name + "/infer", request).then().statusCode(200).body("outputs[0].data", contains(7.0f));
    }

    @Test
    void flatDataAndRequestedOutputs() {
        String name = uploadAndActivate(Fixtures.uniqueName("oip-flat"), Fixtures.model("linear-v1.onnx"));
        String body = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [3, 1], \"data\": [1, 2, 3]}],"
                + " \"outputs\": [{\"name\": \"y\"}], \"parameters\": {\"priority\": 1}}";
        infer("/v2/models/" + name + "/infer", body).then().statusCode(200)
                .body("outputs[0].data", contains(3.0f, 5.0f, 7.0f));
    }

    @Test
    void torchScriptServesTheSameAnswers() {
        String name = uploadAndActivate(Fixtures.uniqueName("oip-pt"), Fixtures.model("linear-v1.pt"),
                "signature", Fixtures.LINEAR_SIGNATURE);
        infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[1, 1]", "[3.0]")).then().statusCode(200)
                .body("outputs[0].data", contains(7.0f));
        given().get("/v2/models/{name}", name).then().statusCode(200).body("platform", equalTo("pytorch_torchscript"));
    }

    @Test
    void mlpMatchesTheReferenceOutputsInBothFormats() throws Exception {
        JsonNode reference = JSON.readTree(Fixtures.model("mlp-reference.json"));
        String inputs = reference.get("inputs").toString();
        String onnx = uploadAndActivate(Fixtures.uniqueName("mlp-onnx"), Fixtures.model("mlp.onnx"));
        String torch = uploadAndActivate(Fixtures.uniqueName("mlp-pt"), Fixtures.model("mlp.pt"),
                "signature", Fixtures.MLP_SIGNATURE);
        for (String name : List.of(onnx, torch)) {
            String body = infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[3, 4]", inputs))
                    .then().statusCode(200).body("outputs[0].shape", contains(3, 3)).extract().asString();
            JsonNode data = JSON.readTree(body).at("/outputs/0/data");
            JsonNode expected = reference.get("outputs");
            for (int row = 0; row < 3; row++) {
                for (int col = 0; col < 3; col++) {
                    assertEquals(expected.get(row).get(col).doubleValue(), data.get(row * 3 + col).doubleValue(), 1e-5,
                            name + " output [" + row + "][" + col + "]");
                }
            }
        }
    }

    @Test
    void aFlipIsPickedUpAndTheAnsweringVersionIsNamed() {
        String name = uploadAndActivate(Fixtures.uniqueName("flip"), Fixtures.model("linear-v1.onnx"));
        given().multiPart("artifact", Fixtures.model("linear-v2.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        String request = oipRequest("x", "FP32", "[1, 1]", "[[3.0]]");
        infer("/v2/models/" + name + "/infer", request).then().body("outputs[0].data", contains(7.0f));
        activate(name, 2);
        infer("/v2/models/" + name + "/infer", request).then().statusCode(200)
                .header("X-Turnout-Model-Version", "2")
                .body("model_version", equalTo("2"))
                .body("outputs[0].data", contains(11.0f));
        // an explicit version is served on demand without flipping
        infer("/v2/models/" + name + "/versions/1/infer", request).then().statusCode(200)
                .header("X-Turnout-Model-Version", "1")
                .body("model_version", equalTo("1"))
                .body("outputs[0].data", contains(7.0f));
        given().get("/v2/models/{name}/versions/1/ready", name).then().statusCode(200).body("ready", equalTo(true));
        infer("/v2/models/" + name + "/infer", request).then().body("outputs[0].data", contains(11.0f));
    }

    @Test
    void oipMetadataAndHealth() {
        String name = uploadAndActivate(Fixtures.uniqueName("meta"), Fixtures.model("mlp.onnx"));
        String metadata = given().get("/v2/models/{name}", name).then().statusCode(200)
                .body("name", equalTo(name))
                .body("versions", contains("1"))
                .body("platform", equalTo("onnx_onnxv1"))
                .body("inputs[0].name", equalTo("x"))
                .body("inputs[0].datatype", equalTo("FP32"))
                .body("inputs[0].shape", contains(-1, 4))
                .body("outputs[0].shape", contains(-1, 3))
                .extract().asString();
        OipSchemas.assertValid("metadata_model_response", metadata);
        OipSchemas.assertValid("metadata_model_response",
                given().get("/v2/models/{name}/versions/1", name).then().statusCode(200).extract().asString());
        given().get("/v2/models/{name}/ready", name).then().statusCode(200)
                .body("name", equalTo(name)).body("ready", equalTo(true));
        OipSchemas.assertValid("metadata_server_response",
                given().get("/v2").then().statusCode(200).body("name", equalTo("turnout")).extract().asString());
        given().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
        given().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
        dev.turnout.Api.management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void tfServingRowAndColumnarForms() {
        String name = uploadAndActivate(Fixtures.uniqueName("tf"), Fixtures.model("linear-v1.onnx"));
        infer("/v1/models/" + name + ":predict", "{\"instances\": [[3.0], [1.0]]}").then().statusCode(200)
                .header("X-Turnout-Model-Version", "1")
                .body("predictions", contains(List.of(7.0f), List.of(3.0f)));
        infer("/v1/models/" + name + ":predict", "{\"signature_name\": \"serving_default\", \"instances\": [{\"x\": [3.0]}]}")
                .then().statusCode(200).body("predictions", contains(List.of(7.0f)));
        infer("/v1/models/" + name + ":predict", "{\"inputs\": [[3.0], [1.0]]}").then().statusCode(200)
                .body("outputs", contains(List.of(7.0f), List.of(3.0f)));
        infer("/v1/models/" + name + ":predict", "{\"inputs\": {\"x\": [[2.0]]}}").then().statusCode(200)
                .body("outputs", contains(List.of(5.0f)));
        infer("/v1/models/" + name + "/versions/1:predict", "{\"instances\": [[3.0]]}").then().statusCode(200)
                .body("predictions", contains(List.of(7.0f)));
        given().get("/v1/models/{name}", name).then().statusCode(200)
                .body("model_version_status[0].version", equalTo("1"))
                .body("model_version_status[0].state", equalTo("AVAILABLE"));
        given().get("/v1/models/{name}/metadata", name).then().statusCode(200)
                .body("model_spec.name", equalTo(name))
                .body("metadata.signature_def.signature_def.serving_default.inputs.x.dtype", equalTo("DT_FLOAT"))
                .body("metadata.signature_def.signature_def.serving_default.inputs.x.tensor_shape.dim.size",
                        hasItems("-1", "1"));
    }

    @Test
    void theOriginalFlaskContract() {
        // the test profile names "flask-linear" as turnout.serving.default-model
        uploadAndActivate("flask-linear", Fixtures.model("linear-v1.onnx"));
        infer("/predict", "{\"example\": [[3.0]]}").then().statusCode(200)
                .header("X-Turnout-Model", "flask-linear")
                .body("prediction", contains(List.of(7.0f)));
        infer("/predict", "{\"input_data\": [[3.0], [4.0]]}").then().statusCode(200)
                .body("prediction", contains(List.of(7.0f), List.of(9.0f)));
    }
}
