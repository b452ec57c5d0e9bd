package dev.turnout.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.Fixtures;
import dev.turnout.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.turnout.Api.uploadAndActivate;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OIP binary tensor data extension over HTTP, with bodies built byte by byte as the spec lays them out. */
@QuarkusTest
class BinaryTensorApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String HEADER = "Inference-Header-Content-Length";

    static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static Response post(String name, String json, byte[] tensors, String headerValue) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        var request = given().contentType("application/octet-stream").body(concat(header, tensors));
        if (headerValue != null) {
            request.header(HEADER, headerValue);
        }
        return request.post("/v2/models/{name}/infer", name);
    }

    static Response post(String name, String json, byte[] tensors) {
        return post(name, json, tensors, Integer.toString(json.getBytes(StandardCharsets.UTF_8).length));
    }

    static String linearInput(int size, String outputs) {
        return "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 1], \"datatype\": \"FP32\", "
                + "\"parameters\": {\"binary_data_size\": " + size + "}}]" + outputs + "}";
    }

    /** Splits a binary response at its Inference-Header-Content-Length into the JSON and the tensor bytes. */
    record Split(JsonNode json, byte[] tensors) {
        static Split of(Response response) throws Exception {
            response.then().statusCode(200).contentType(equalTo("application/octet-stream"));
            byte[] body = response.asByteArray();
            int length = Integer.parseInt(response.header(HEADER));
            JsonNode json = JSON.readTree(new String(body, 0, length, StandardCharsets.UTF_8));
            assertValidWithBinaryOutputs(json);
            return new Split(json, Arrays.copyOfRange(body, length, body.length));
        }

        /**
         * The core schema requires 'data' on every output; the extension replaces it by binary_data_size. So: no
         * 'data' where binary_data_size is given, and the rest valid once a placeholder stands in for the data.
         */
        static void assertValidWithBinaryOutputs(JsonNode json) {
            JsonNode copy = json.deepCopy();
            for (JsonNode output : copy.get("outputs")) {
                if (output.at("/parameters/binary_data_size").isIntegralNumber()) {
                    assertEquals(null, output.get("data"), "a binary output has no 'data'");
                    ((ObjectNode) output).putArray("data");
                }
            }
            OipSchemas.assertValid("inference_response", copy.toString());
        }

        float[] floats(int from, int count) {
            float[] values = new float[count];
            ByteBuffer.wrap(tensors, from, count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }
    }

    @Test
    void serverMetadataListsTheExtension() {
        given().get("/v2").then().statusCode(200).body("extensions", hasItem("binary_tensor_data"));
    }

    @Test
    void aBinaryInputWithJsonOutput() {
        String name = uploadAndActivate(Fixtures.uniqueName("bin-in"), Fixtures.model("linear-v1.onnx"));
        Response response = post(name, linearInput(8, ""), floats(3.0f, 0.5f));
        response.then().statusCode(200).contentType(containsString("application/json"))
                .header(HEADER, nullValue())
                .body("outputs[0].name", equalTo("y"))
                .body("outputs[0].data[0]", equalTo(7.0f))
                .body("outputs[0].data[1]", equalTo(2.0f));
        OipSchemas.assertValid("inference_response", response.asString());
    }

    @Test
    void aBinaryOutputCarriesItsSizeAndTheBytesFollowTheJson() throws Exception {
        String name = uploadAndActivate(Fixtures.uniqueName("bin-out"), Fixtures.model("linear-v1.onnx"));
        Split split = Split.of(post(name,
                linearInput(8, ", \"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": true}}]"),
                floats(3.0f, 0.5f)));
        JsonNode y = split.json().at("/outputs/0");
        assertEquals("y", y.get("name").asText());
        assertEquals("FP32", y.get("datatype").asText());
        assertEquals(8, y.at("/parameters/binary_data_size").asInt());
        assertEquals(null, y.get("data"));
        assertEquals(8, split.tensors().length);
        assertArrayEquals(new float[] {7.0f, 2.0f}, split.floats(0, 2));
    }

    @Test
    void jsonInputWithAllOutputsBinaryMatchesTheMlpReference() throws Exception {
        JsonNode reference = JSON.readTree(Fixtures.model("mlp-reference.json"));
        String name = uploadAndActivate(Fixtures.uniqueName("bin-mlp"), Fixtures.model("mlp.onnx"));
        String json = "{\"inputs\": [{\"name\": \"x\", \"shape\": [3, 4], \"datatype\": \"FP32\", \"data\": "
                + reference.get("inputs") + "}], \"parameters\": {\"binary_data_output\": true}}";
        Split split = Split.of(post(name, json, new byte[0]));
        assertEquals(36, split.json().at("/outputs/0/parameters/binary_data_size").asInt());
        float[] values = split.floats(0, 9);
        for (int i = 0; i < 9; i++) {
            assertEquals(reference.get("outputs").get(i / 3).get(i % 3).floatValue(), values[i], 1e-5);
        }
    }

    @Test
    void aPerOutputFalseOverridesBinaryDataOutput() {
        String name = uploadAndActivate(Fixtures.uniqueName("bin-override"), Fixtures.model("linear-v1.onnx"));
        post(name, "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 1], \"datatype\": \"FP32\", "
                        + "\"parameters\": {\"binary_data_size\": 8}}], \"parameters\": {\"binary_data_output\": true}, "
                        + "\"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": false}}]}",
                floats(3.0f, 0.5f))
                .then().statusCode(200).contentType(containsString("application/json"))
                .body("outputs[0].data[0]", equalTo(7.0f));
    }

    @Test
    void everyInconsistencyIsRefusedWithA400NamingIt() {
        String name = uploadAndActivate(Fixtures.uniqueName("bin-refuse"), Fixtures.model("linear-v1.onnx"));
        String json = linearInput(8, "");
        int length = json.getBytes(StandardCharsets.UTF_8).length;
        refused(post(name, json, floats(3.0f, 0.5f), null), HEADER);
        refused(post(name, json, floats(3.0f, 0.5f), "twelve"), "is not a number");
        refused(post(name, json, floats(3.0f, 0.5f), "-1"), "is not a number");
        refused(post(name, json, floats(3.0f, 0.5f), Integer.toString(length + 9)), "longer than the body");
        refused(post(name, linearInput(4, ""), floats(3.0f)), "binary_data_size 4");
        refused(post(name, linearInput(12, ""), floats(3.0f, 0.5f, 1.0f)), "binary_data_size 12");
        refused(post(name, json, floats(3.0f)), "only 4 bytes");
        refused(post(name, json, floats(3.0f, 0.5f, 1.0f)), "4 bytes after the last tensor");
        refused(post(name, "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 1], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2], \"parameters\": {\"binary_data_size\": 8}}]}", floats(3.0f, 0.5f)), "not both");
        refused(post(name, linearInput(8, ", \"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": 1}}]"),
                floats(3.0f, 0.5f)), "binary_data");
        refused(post(name, "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 1], \"datatype\": \"FP32\", "
                + "\"data\": [1, 2]}], \"parameters\": {\"binary_data_output\": \"yes\"}}", new byte[0]),
                "binary_data_output");
    }

    @Test
    void anEmptyHeaderIsRefusedNotReadAsNoHeader() throws Exception {
        // "Inference-Header-Content-Length:" with no value was taken as no header: the whole body read as JSON
        String name = uploadAndActivate(Fixtures.uniqueName("bin-empty"), Fixtures.model("linear-v1.onnx"));
        String json = "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 1], \"datatype\": \"FP32\", \"data\": [1, 2]}]}";
        for (String value : new String[] {"", " ", "\t"}) {
            String answer;
            try (Socket socket = RawHttp.open()) { // a client library may drop or trim an empty header: sent as written
                RawHttp.send(socket, "POST /v2/models/" + name + "/infer HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\n" + HEADER + ":" + value + "\r\nContent-Length: "
                        + json.length() + "\r\n\r\n" + json);
                answer = RawHttp.readAnswer(socket);
            }
            assertTrue(answer.startsWith("HTTP/1.1 400 "), "for '" + value + "': " + answer);
            assertTrue(answer.contains("INVALID_ARGUMENT") && answer.contains("the " + HEADER + " header is empty")
                    && answer.contains("a whole number of bytes"), answer);
        }
    }

    @Test
    void aHeaderGivenTwiceIsRefusedNotReadAsItsFirst() throws Exception {
        // the header parameter took the first of two values and went on
        String name = uploadAndActivate(Fixtures.uniqueName("bin-twice"), Fixtures.model("linear-v1.onnx"));
        String json = linearInput(8, "");
        int length = json.getBytes(StandardCharsets.UTF_8).length;
        String body = json + new String(floats(3.0f, 0.5f), StandardCharsets.ISO_8859_1);
        String answer;
        try (Socket socket = RawHttp.open()) {
            RawHttp.send(socket, "POST /v2/models/" + name + "/infer HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/octet-stream\r\n" + HEADER + ": " + length + "\r\n" + HEADER + ": "
                    + length + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            answer = RawHttp.readAnswer(socket);
        }
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.contains("INVALID_ARGUMENT") && answer.contains("the " + HEADER + " header is given 2 times"),
                answer);
    }

    @Test
    void mangledBinaryRequestsAreRefusedNeverAFiveHundred() {
        String name = uploadAndActivate(Fixtures.uniqueName("bin-fuzz"), Fixtures.model("linear-v1.onnx"));
        String json = linearInput(8, ", \"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": true}}]");
        byte[] valid = concat(json.getBytes(StandardCharsets.UTF_8), floats(3.0f, 0.5f));
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 100; i++) {
            byte[] body = Arrays.copyOf(valid, 1 + random.nextInt(valid.length + 8));
            for (int flips = random.nextInt(4); flips > 0; flips--) {
                body[random.nextInt(body.length)] = (byte) random.nextInt(256);
            }
            String header = switch (random.nextInt(4)) {
                case 0 -> Integer.toString(random.nextInt(body.length + 4));
                case 1 -> Integer.toString(body.length - 8);
                case 2 -> "-" + random.nextInt(10);
                default -> "99999999999999999999";
            };
            int status = given().contentType("application/octet-stream").header(HEADER, header).body(body)
                    .post("/v2/models/{name}/infer", name).statusCode();
            assertTrue(status == 200 || (status >= 400 && status < 500), "status " + status + " for header " + header);
        }
    }

    private static void refused(Response response, String message) {
        response.then().statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                .body("error", containsString(message));
    }
}
