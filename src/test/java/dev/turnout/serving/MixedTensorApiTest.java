package dev.turnout.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Fixtures;
import dev.turnout.serving.BinaryTensorApiTest.Split;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.turnout.Api.uploadAndActivate;
import static dev.turnout.serving.BinaryTensorApiTest.HEADER;
import static dev.turnout.serving.BinaryTensorApiTest.concat;
import static dev.turnout.serving.BinaryTensorApiTest.floats;
import static dev.turnout.serving.BinaryTensorApiTest.post;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Requests with several tensors (two-inputs.onnx: sum = a + b, product = a * b, all FP32 [-1, 2]) where binary and
 * JSON mix, in inputs and in outputs; and a request laid out exactly as Triton's Python HTTP client sends it.
 */
@QuarkusTest
class MixedTensorApiTest {

    static final float[] A = {1, 2, 3, 4};
    static final float[] B = {0.5f, 0.5f, 2, -1};
    static final float[] SUM = {1.5f, 2.5f, 5, 3};
    static final float[] PRODUCT = {0.5f, 1, 6, -4};

    static String twoInputs() {
        return uploadAndActivate(Fixtures.uniqueName("mixed"), Fixtures.model("two-inputs.onnx"));
    }

    @Test
    void oneBinaryAndOneJsonInputTwoOutputsOneOfThemBinary() throws Exception {
        String name = twoInputs();
        // b (JSON, nested) is listed before a (binary): only binary inputs take bytes after the header
        String json = "{\"inputs\": ["
                + "{\"name\": \"b\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [[0.5, 0.5], [2, -1]]}, "
                + "{\"name\": \"a\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 16}}"
                + "], \"outputs\": [{\"name\": \"sum\", \"parameters\": {\"binary_data\": false}}, "
                + "{\"name\": \"product\", \"parameters\": {\"binary_data\": true}}]}";
        Split split = Split.of(post(name, json, floats(A)));
        JsonNode sum = output(split.json(), "sum");
        JsonNode product = output(split.json(), "product");
        assertEquals("[1.5,2.5,5.0,3.0]", sum.get("data").toString());
        assertFalse(sum.has("parameters"), "a JSON output carries no binary_data_size");
        assertEquals(16, product.at("/parameters/binary_data_size").asInt());
        assertEquals(16, split.tensors().length, "only the binary output's bytes follow the JSON");
        assertArrayEquals(PRODUCT, split.floats(0, 4));
    }

    @Test
    void aPerOutputBinaryDataOverridesBinaryDataOutputBothWays() throws Exception {
        String name = twoInputs();
        // binary_data_output true for all, overridden to JSON for sum; product follows the request-wide flag
        String json = "{\"inputs\": ["
                + "{\"name\": \"a\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}, "
                + "{\"name\": \"b\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 16}}"
                + "], \"parameters\": {\"binary_data_output\": true}, "
                + "\"outputs\": [{\"name\": \"sum\", \"parameters\": {\"binary_data\": false}}, {\"name\": \"product\"}]}";
        Split split = Split.of(post(name, json, floats(B)));
        assertEquals("[1.5,2.5,5.0,3.0]", output(split.json(), "sum").get("data").toString());
        assertEquals(16, output(split.json(), "product").at("/parameters/binary_data_size").asInt());
        assertArrayEquals(PRODUCT, split.floats(0, 4));

        // binary_data_output false (the default), overridden to binary for sum only
        String jsonOutputs = "{\"inputs\": ["
                + "{\"name\": \"a\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}, "
                + "{\"name\": \"b\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [0.5, 0.5, 2, -1]}"
                + "], \"parameters\": {\"binary_data_output\": false}, "
                + "\"outputs\": [{\"name\": \"product\"}, {\"name\": \"sum\", \"parameters\": {\"binary_data\": true}}]}";
        split = Split.of(post(name, jsonOutputs, new byte[0]));
        assertEquals("[0.5,1.0,6.0,-4.0]", output(split.json(), "product").get("data").toString());
        assertEquals(16, output(split.json(), "sum").at("/parameters/binary_data_size").asInt());
        assertArrayEquals(SUM, split.floats(0, 4));
    }

    @Test
    void binaryInputsTakeTheirBytesInTheOrderTheyAreListedAndOutputsFollowTheJsonOrder() throws Exception {
        String name = twoInputs();
        String json = "{\"inputs\": ["
                + "{\"name\": \"b\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 16}}, "
                + "{\"name\": \"a\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 16}}"
                + "], \"parameters\": {\"binary_data_output\": true}}";
        Split split = Split.of(post(name, json, concat(floats(B), floats(A))));
        JsonNode outputs = split.json().get("outputs");
        assertEquals(2, outputs.size());
        int offset = 0;
        for (JsonNode output : outputs) {
            float[] expected = output.get("name").asText().equals("sum") ? SUM : PRODUCT;
            assertArrayEquals(expected, split.floats(offset, 4), output.get("name").asText());
            offset += output.at("/parameters/binary_data_size").asInt();
        }
        assertEquals(32, offset);
    }

    /**
     * What tritonclient.http sends by default: InferInput.set_data_from_numpy (binary_data=True) gives each input
     * parameters.binary_data_size and no data; InferRequestedOutput (binary_data=True) asks each output as binary, and
     * with no outputs listed the client sets binary_data_output. The JSON is Python's json.dumps (", " and ": "), the
     * header Inference-Header-Content-Length its length, the tensors follow it in input order.
     */
    @Test
    void aRequestAsTritonsHttpClientSendsItGetsTheRightTensorsBack() throws Exception {
        String name = twoInputs();
        String inputs = "\"inputs\": [{\"name\": \"a\", \"shape\": [2, 2], \"datatype\": \"FP32\", "
                + "\"parameters\": {\"binary_data_size\": 16}}, {\"name\": \"b\", \"shape\": [2, 2], "
                + "\"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 16}}]";
        byte[] tensors = concat(floats(A), floats(B));

        String withOutputs = "{" + inputs + ", \"outputs\": [{\"name\": \"product\", \"parameters\": "
                + "{\"binary_data\": true}}, {\"name\": \"sum\", \"parameters\": {\"binary_data\": true}}]}";
        Split split = Split.of(triton(name, withOutputs, tensors));
        assertArrayEquals(PRODUCT, asTritonReadsIt(split, "product"));
        assertArrayEquals(SUM, asTritonReadsIt(split, "sum"));

        String allOutputs = "{" + inputs + ", \"parameters\": {\"binary_data_output\": true}}";
        split = Split.of(triton(name, allOutputs, tensors));
        assertEquals(2, split.json().get("outputs").size());
        assertArrayEquals(SUM, asTritonReadsIt(split, "sum"));
        assertArrayEquals(PRODUCT, asTritonReadsIt(split, "product"));
        assertEquals(name, split.json().get("model_name").asText());
    }

    @Test
    void mixedRequestsStillRefuseWhatDoesNotAddUp() {
        String name = twoInputs();
        String json = "{\"inputs\": ["
                + "{\"name\": \"a\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}, "
                + "{\"name\": \"b\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 16}}"
                + "]}";
        post(name, json, concat(floats(B), floats(1)))
                .then().statusCode(400).body("error", containsString("4 bytes after the last tensor"));
        post(name, json, floats(1, 2, 3))
                .then().statusCode(400).body("error", containsString("only 12 bytes"));
        post(name, json.replace("\"data\": [1, 2, 3, 4]", "\"data\": [1, 2, 3]"), floats(B))
                .then().statusCode(400).body("error", containsString("input 'a'"));
    }

    private static Response triton(String name, String json, byte[] tensors) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return given().contentType("application/octet-stream").header(HEADER, Integer.toString(header.length))
                .body(concat(header, tensors)).post("/v2/models/{name}/infer", name);
    }

    /**
     * As InferResult.as_numpy does: walks the outputs in the JSON's order, each binary one taking the next
     * binary_data_size bytes, until the named one.
     */
    private static float[] asTritonReadsIt(Split split, String name) {
        int offset = 0;
        for (JsonNode output : split.json().get("outputs")) {
            int size = output.at("/parameters/binary_data_size").asInt();
            if (output.get("name").asText().equals(name)) {
                assertEquals("FP32", output.get("datatype").asText());
                assertEquals("[2,2]", output.get("shape").toString());
                return split.floats(offset, size / 4);
            }
            offset += size;
        }
        throw new AssertionError("no output '" + name + "' in " + split.json());
    }

    private static JsonNode output(JsonNode response, String name) {
        for (JsonNode output : response.get("outputs")) {
            if (output.get("name").asText().equals(name)) {
                return output;
            }
        }
        throw new AssertionError("no output '" + name + "' in " + response);
    }
}
