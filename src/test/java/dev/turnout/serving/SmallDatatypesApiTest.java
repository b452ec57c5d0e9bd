package dev.turnout.serving;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.Api.uploadAndActivate;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * UINT8, INT8 and FP16 (what images and quantised models use) through ONNX Runtime over HTTP: known values in and
 * out over the OIP and TF Serving, boundaries refused before the engine, signatures recorded with the new types.
 */
@QuarkusTest
class SmallDatatypesApiTest {

    @Test
    void uint8InUint8Int8AndFp16OutOverOip() {
        String name = uploadAndActivate(Fixtures.uniqueName("uint8"), Fixtures.model("small-types.onnx"));
        Response response = infer("/v2/models/" + name + "/infer",
                oipRequest("x", "UINT8", "[2, 4]", "[0, 1, 127, 128, 200, 254, 255, 3]"));
        response.then().statusCode(200)
                .body("outputs[0].name", equalTo("plus_one"))
                .body("outputs[0].datatype", equalTo("UINT8"))
                .body("outputs[0].shape", contains(2, 4))
                .body("outputs[0].data", contains(1, 2, 128, 129, 201, 255, 0, 4)) // 255 + 1 wraps in the engine
                .body("outputs[1].name", equalTo("as_int8"))
                .body("outputs[1].datatype", equalTo("INT8"))
                .body("outputs[1].data", contains(0, 1, 127, -128, -56, -2, -1, 3))
                .body("outputs[2].name", equalTo("as_fp16"))
                .body("outputs[2].datatype", equalTo("FP16"))
                .body("outputs[2].data", contains(0.0f, 0.5f, 63.5f, 64.0f, 100.0f, 127.0f, 127.5f, 1.5f));
        OipSchemas.assertValid("inference_response", response.asString());
    }

    @Test
    void torchScriptServesTheSameTypes() {
        String name = uploadAndActivate(Fixtures.uniqueName("uint8-pt"), Fixtures.model("small-types.pt"),
                "signature", "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"UINT8\", \"shape\": [-1, 4]}], "
                        + "\"outputs\": [{\"name\": \"plus_one\", \"datatype\": \"UINT8\", \"shape\": [-1, 4]}, "
                        + "{\"name\": \"as_int8\", \"datatype\": \"INT8\", \"shape\": [-1, 4]}, "
                        + "{\"name\": \"as_fp16\", \"datatype\": \"FP16\", \"shape\": [-1, 4]}]}");
        Response response = infer("/v2/models/" + name + "/infer",
                oipRequest("x", "UINT8", "[2, 4]", "[0, 1, 127, 128, 200, 254, 255, 3]"));
        response.then().statusCode(200)
                .body("outputs.name", contains("plus_one", "as_int8", "as_fp16"))
                .body("outputs.datatype", contains("UINT8", "INT8", "FP16"))
                .body("outputs[0].data", contains(1, 2, 128, 129, 201, 255, 0, 4))
                .body("outputs[1].data", contains(0, 1, 127, -128, -56, -2, -1, 3))
                .body("outputs[2].data", contains(0.0f, 0.5f, 63.5f, 64.0f, 100.0f, 127.0f, 127.5f, 1.5f));
        OipSchemas.assertValid("inference_response", response.asString());
        infer("/v1/models/" + name + ":predict", "{\"instances\": [[0, 10, 254, 255]]}").then().statusCode(200)
                .body("predictions[0].plus_one", contains(1, 11, 255, 0))
                .body("predictions[0].as_fp16", contains(0.0f, 5.0f, 127.0f, 127.5f));
    }

    @Test
    void int8AndFp16InOverOipAndTfServing() {
        String name = uploadAndActivate(Fixtures.uniqueName("int8"), Fixtures.model("small-types-in.onnx"));
        String body = "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"INT8\", \"shape\": [2, 2], \"data\": [-128, 127, 0, -5]},"
                + " {\"name\": \"h\", \"datatype\": \"FP16\", \"shape\": [2, 2], \"data\": [0.25, -1.5, 32752, 0.1]}]}";
        Response response = infer("/v2/models/" + name + "/infer", body);
        response.then().statusCode(200)
                .body("outputs[0].datatype", equalTo("INT8"))
                .body("outputs[0].data", contains(-128, -127, 0, 5)) // -(-128) wraps to -128 in the engine
                .body("outputs[1].datatype", equalTo("FP16"))
                // 0.1 is stored as the nearest half, 0.0999755859375; doubled, 0.199951171875
                .body("outputs[1].data", contains(0.5f, -3.0f, 65504.0f, 0.199951171875f));
        OipSchemas.assertValid("inference_response", response.asString());

        infer("/v1/models/" + name + ":predict", "{\"instances\": [{\"a\": [1, -2], \"h\": [1.5, 2]}]}")
                .then().statusCode(200)
                .body("predictions[0].a_neg", contains(-1, 2))
                .body("predictions[0].h_double", contains(3.0f, 4.0f));
        infer("/v1/models/" + name + ":predict", "{\"inputs\": {\"a\": [[3, 4]], \"h\": [[0.5, 1]]}}")
                .then().statusCode(200)
                .body("outputs.a_neg[0]", contains(-3, -4))
                .body("outputs.h_double[0]", contains(1.0f, 2.0f));
    }

    @Test
    void tfServingTakesUint8() {
        String name = uploadAndActivate(Fixtures.uniqueName("uint8-tf"), Fixtures.model("small-types.onnx"));
        infer("/v1/models/" + name + ":predict", "{\"instances\": [[0, 10, 254, 255]]}").then().statusCode(200)
                .body("predictions[0].plus_one", contains(1, 11, 255, 0))
                .body("predictions[0].as_int8", contains(0, 10, -2, -1))
                .body("predictions[0].as_fp16", contains(0.0f, 5.0f, 127.0f, 127.5f));
    }

    @Test
    void valuesOutsideEachTypeAreRefusedBeforeTheEngine() {
        String uint8 = uploadAndActivate(Fixtures.uniqueName("uint8-bad"), Fixtures.model("small-types.onnx"));
        infer("/v2/models/" + uint8 + "/infer", oipRequest("x", "UINT8", "[1, 4]", "[0, 1, 2, 256]"))
                .then().statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                .body("error", containsString("0 to 255"));
        infer("/v2/models/" + uint8 + "/infer", oipRequest("x", "UINT8", "[1, 4]", "[0, 1, 2, -1]"))
                .then().statusCode(400).body("error", containsString("0 to 255"));
        infer("/v1/models/" + uint8 + ":predict", "{\"instances\": [[0, 1, 2, 1.5]]}")
                .then().statusCode(400).body("error", containsString("0 to 255"));

        String small = uploadAndActivate(Fixtures.uniqueName("int8-bad"), Fixtures.model("small-types-in.onnx"));
        String tooSmall = "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"INT8\", \"shape\": [1, 2], \"data\": [-129, 0]},"
                + " {\"name\": \"h\", \"datatype\": \"FP16\", \"shape\": [1, 2], \"data\": [0, 0]}]}";
        infer("/v2/models/" + small + "/infer", tooSmall).then().statusCode(400)
                .body("error", containsString("-128 to 127"));
        String tooLarge = "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"INT8\", \"shape\": [1, 2], \"data\": [0, 0]},"
                + " {\"name\": \"h\", \"datatype\": \"FP16\", \"shape\": [1, 2], \"data\": [0, 70000]}]}";
        infer("/v2/models/" + small + "/infer", tooLarge).then().statusCode(400)
                .body("error", containsString("FP16"));
        infer("/v1/models/" + small + ":predict", "{\"instances\": [{\"a\": [0, 0], \"h\": [\"1\", 0]}]}")
                .then().statusCode(400).body("error", containsString("FP16"));
    }

    @Test
    void modelsOfTypesThatAreNotServedAreRefusedAtUpload() {
        for (String type : new String[] {"string", "uint16"}) {
            given().multiPart("artifact", Fixtures.model("identity-" + type + ".onnx"))
                    .post("/api/models/{name}/versions", Fixtures.uniqueName("not-served"))
                    .then().statusCode(422)
                    .body("error", containsString("'x' has element type " + type.toUpperCase(java.util.Locale.ROOT)))
                    .body("error", containsString("supported: BOOL, UINT8"));
        }
    }

    @Test
    void signaturesRecordTheNewDatatypes() {
        String name = Fixtures.uniqueName("uint8-sig");
        given().multiPart("artifact", Fixtures.model("small-types.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        given().get("/api/models/{name}/versions/1", name).then().statusCode(200)
                .body("signature.inputs[0].datatype", equalTo("UINT8"))
                .body("signature.inputs[0].shape", contains(-1, 4))
                .body("signature.outputs.datatype", contains("UINT8", "INT8", "FP16"));
        given().get("/v2/models/{name}/versions/1", name).then().statusCode(200)
                .body("inputs[0].datatype", equalTo("UINT8"));
    }
}
