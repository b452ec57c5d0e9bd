package dev.turnout.serving.rest;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.turnout.serving.rest.TensorJsonTest.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Open Inference Protocol v2 bodies against a two-input, two-output signature. */
class OipCodecTest {

    static final Signature SIGNATURE = new Signature(
            List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 2L)),
                    new TensorSpec("ids", DataType.INT64, List.of(-1L))),
            List.of(new TensorSpec("y", DataType.FP32, List.of(-1L, 1L)),
                    new TensorSpec("label", DataType.INT64, List.of(-1L))));
    static final String X = "{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1.5, 2.5]}";
    static final String FP32 = "\"FP32\"";
    static final String SHAPE = "[1, 2]";
    static final String DATA = "[1.5, 2.5]";
    static final String IDS = "{\"name\": \"ids\", \"datatype\": \"INT64\", \"shape\": [1], \"data\": [42]}";
    static final String TAKES = "the model takes [x:FP32[-1, 2], ids:INT64[-1]]";

    /** Decodes the tree, and the streaming parser's reading of the same body: both must agree. */
    static OipCodec.Request decode(String body) {
        OipCodec.Request tree;
        try {
            tree = OipCodec.decode(json(body), SIGNATURE, 4, 100, BinaryTensors.Section.NONE);
        } catch (TurnoutException e) {
            TurnoutException streamed = assertThrows(TurnoutException.class, () -> decodeStreamed(body));
            assertEquals(e.getMessage(), streamed.getMessage(), "the streaming parser's message for " + body);
            throw e;
        }
        OipCodec.Request streamed = decodeStreamed(body);
        assertEquals(tree.inputs().length, streamed.inputs().length);
        for (int i = 0; i < tree.inputs().length; i++) {
            assertTrue(java.util.Arrays.deepEquals(new Object[] {tree.inputs()[i].data()},
                    new Object[] {streamed.inputs()[i].data()}), body);
        }
        assertEquals(tree.outputs(), streamed.outputs());
        assertEquals(tree.binaryOutputs(), streamed.binaryOutputs());
        return tree;
    }

    static OipCodec.Request decodeStreamed(String body) {
        try (var parser = TensorJsonTest.JSON.createParser(body)) {
            int bodyBytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            return OipCodec.decode(OipRequestReader.read(parser, 100, bodyBytes, TensorJsonTest.JSON.reader()),
                    SIGNATURE, 4, 100,
                    BinaryTensors.Section.NONE);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(body, e);
        }
    }

    static String refused(String body) {
        TurnoutException e = assertThrows(TurnoutException.class, () -> decode(body));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        return e.getMessage();
    }

    static String withInputs(String... inputs) {
        return "{\"inputs\": [" + String.join(", ", inputs) + "]}";
    }

    /** A request with input 'ids' and an input 'x' made of these fields' JSON, each left out when null. */
    static String withX(String datatype, String shape, String data) {
        List<String> fields = new ArrayList<>(List.of("\"name\": \"x\""));
        if (datatype != null) {
            fields.add("\"datatype\": " + datatype);
        }
        if (shape != null) {
            fields.add("\"shape\": " + shape);
        }
        if (data != null) {
            fields.add("\"data\": " + data);
        }
        return withInputs("{" + String.join(", ", fields) + "}", IDS);
    }

    @Test
    void inputsArriveInAnyOrderAndLeaveInSignatureOrder() {
        OipCodec.Request request = decode("{\"id\": \"req-7\", \"parameters\": {\"priority\": 1}, \"inputs\": ["
                + IDS + ", " + X + "]}");
        assertEquals("req-7", request.id());
        assertEquals("x", request.inputs()[0].name());
        assertArrayEquals(new float[] {1.5f, 2.5f}, (float[]) request.inputs()[0].data());
        assertEquals("ids", request.inputs()[1].name());
        assertArrayEquals(new long[] {42}, (long[]) request.inputs()[1].data());
        assertNull(request.outputs(), "no 'outputs': every output");
    }

    @Test
    void theBodyItsIdAndItsParametersHaveTheirTypes() {
        assertEquals("the request must be a JSON object {\"inputs\": [...]}", refused("[]"));
        assertEquals("'id' must be a string", refused("{\"id\": 7, \"inputs\": [" + X + ", " + IDS + "]}"));
        assertEquals("'parameters' must be a JSON object",
                refused("{\"parameters\": [], \"inputs\": [" + X + ", " + IDS + "]}"));
    }

    @Test
    void inputsMustBeANonEmptyBoundedListOfDistinctKnownNames() {
        String form = "'inputs' must be a non-empty array of {\"name\", \"shape\", \"datatype\", \"data\"}; " + TAKES;
        assertEquals(form, refused("{}"));
        assertEquals(form, refused("{\"inputs\": []}"));
        assertEquals(form, refused("{\"inputs\": {\"x\": [1, 2]}}"));
        assertEquals("at most 4 inputs per request (turnout.serving.max-inputs)", refused(withInputs(X, X, X, X, IDS)));
        assertEquals("input 'x' is given twice", refused(withInputs(X, IDS, X)));
        assertEquals("input 'ids' is missing; " + TAKES, refused(withInputs(X)));
        assertEquals("unknown input 'x?y'; " + TAKES, refused(withInputs(X.replace("\"x\"", "\"x\\u0007y\""), IDS)));
        assertEquals("each input must be an object with a string 'name'", refused(withInputs("[1, 2]")));
        assertEquals("each input must be an object with a string 'name'", refused(withInputs(X.replace("\"x\"", "7"))));
    }

    @Test
    void eachInputNeedsTheModelsDatatype() {
        assertEquals("input 'x' needs a 'datatype'; the model takes FP32", refused(withX(null, SHAPE, DATA)));
        assertEquals("input 'x' needs a 'datatype'; the model takes FP32", refused(withX("32", SHAPE, DATA)));
        assertEquals("input 'x' has datatype 'fp32', which is not supported; "
                        + "supported: BOOL, UINT8, INT8, INT32, INT64, FP16, FP32, FP64",
                refused(withX("\"fp32\"", SHAPE, DATA)));
        assertEquals("input 'x' is FP64 but the model takes FP32", refused(withX("\"FP64\"", SHAPE, DATA)));
    }

    @Test
    void eachInputNeedsAShapeOfWholeNumbers() {
        assertEquals("input 'x' needs a 'shape' (an array of dimensions); the model takes [-1, 2]",
                refused(withX(FP32, null, DATA)));
        assertEquals("input 'x' needs a 'shape' (an array of dimensions); the model takes [-1, 2]",
                refused(withX(FP32, "\"1x2\"", DATA)));
        assertEquals("input 'x' has shape [1.0,2]; dimensions are whole numbers",
                refused(withX(FP32, "[1.0, 2]", DATA)));
        assertEquals("input 'x' has shape [\"1\",2]; dimensions are whole numbers",
                refused(withX(FP32, "[\"1\", 2]", DATA)));
        refused(withX(FP32, "[18446744073709551615, 2]", DATA)); // a uint64 no tensor could fill
        assertEquals("input 'x' has shape [1, 3] but the model takes [-1, 2] (-1: any size); dimension 1 must be 2",
                refused(withX(FP32, "[1, 3]", DATA)));
    }

    @Test
    void eachInputNeedsItsDataAsAnArray() {
        String needsData = "input 'x' needs 'data': an array, flat or nested, in row-major order";
        assertEquals(needsData, refused(withX(FP32, SHAPE, null)));
        assertEquals(needsData, refused(withX(FP32, SHAPE, "1.5")));
        assertEquals(needsData, refused(withX(FP32, SHAPE, "{\"values\": [1.5, 2.5]}")));
        assertEquals("input 'x' has 1 elements but its shape [1, 2] needs 2", refused(withX(FP32, SHAPE, "[1.5]")));
        assertArrayEquals(new float[] {1.5f, 2.5f},
                (float[]) decode(withX(FP32, SHAPE, "[[1.5, 2.5]]")).inputs()[0].data(), "nested data");
    }

    @Test
    void requestedOutputsMustBeOnesTheModelReturns() {
        assertEquals(Set.of("label"),
                decode("{\"inputs\": [" + X + ", " + IDS + "], \"outputs\": [{\"name\": \"label\"}]}").outputs());
        String unknown = "unknown output 'z'; the model returns [y:FP32[-1, 1], label:INT64[-1]]";
        assertEquals(unknown, refused("{\"inputs\": [" + X + ", " + IDS + "], \"outputs\": [{\"name\": \"z\"}]}"));
        assertEquals("'outputs' must be an array of {\"name\"}",
                refused("{\"inputs\": [" + X + ", " + IDS + "], \"outputs\": {\"name\": \"y\"}}"));
        // an entry that is the name alone was "unknown output ''", though the model has an output 'y'
        assertEquals("each entry of 'outputs' is an object {\"name\": ...}, not \"y\"",
                refused("{\"inputs\": [" + X + ", " + IDS + "], \"outputs\": [\"y\"]}"));
    }

    @Test
    void theResponseCarriesTheIdTheVersionAndTheOutputsAskedFor() {
        Tensor y = new Tensor("y", DataType.FP32, new long[] {1, 1}, new float[] {7});
        Tensor label = new Tensor("label", DataType.INT64, new long[] {1}, new long[] {3});
        OipCodec.Request all = decode("{\"id\": \"r1\", \"inputs\": [" + X + ", " + IDS + "]}");
        OipCodec.Response response = OipCodec.encode("linear", 4, all, new Tensor[] {y, label});
        assertEquals("linear", response.modelName());
        assertEquals("4", response.modelVersion());
        assertEquals("r1", response.id());
        assertEquals(List.of("y", "label"), response.outputs().stream().map(OipCodec.Output::name).toList());
        OipCodec.Output first = response.outputs().get(0);
        assertEquals("FP32", first.datatype());
        assertArrayEquals(new long[] {1, 1}, first.shape());
        assertArrayEquals(new float[] {7}, (float[]) first.data(), "flat, as the protocol sends it");

        OipCodec.Request some = decode("{\"inputs\": [" + X + ", " + IDS + "], \"outputs\": [{\"name\": \"label\"}]}");
        OipCodec.Response filtered = OipCodec.encode("linear", 4, some, new Tensor[] {y, label});
        assertNull(filtered.id());
        assertEquals(List.of("label"), filtered.outputs().stream().map(OipCodec.Output::name).toList());
    }

    @Test
    void jsonAndBinaryInputsMixInOneRequestAndTheBytesFollowInJsonOrder() {
        String header = "{\"inputs\": [{\"name\": \"ids\", \"datatype\": \"INT64\", \"shape\": [2], "
                + "\"parameters\": {\"binary_data_size\": 16}}, " + X + "]}";
        byte[] json = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] ids = BinaryTensors.toBytes(new Tensor("ids", DataType.INT64, new long[] {2}, new long[] {42, -7}));
        byte[] body = java.util.Arrays.copyOf(json, json.length + ids.length);
        System.arraycopy(ids, 0, body, json.length, ids.length);
        OipCodec.Request request = OipCodec.decode(json(header), SIGNATURE, 4, 100,
                new BinaryTensors.Section(body, json.length));
        assertArrayEquals(new float[] {1.5f, 2.5f}, (float[]) request.inputs()[0].data());
        assertArrayEquals(new long[] {42, -7}, (long[]) request.inputs()[1].data());
    }

    @Test
    void aDatatypeWithoutABinaryFormIsRefused() {
        Signature halves = new Signature(List.of(new TensorSpec("h", DataType.INT16, List.of(-1L))),
                List.of(new TensorSpec("y", DataType.FP32, List.of(-1L))));
        String header = "{\"inputs\": [{\"name\": \"h\", \"datatype\": \"INT16\", \"shape\": [2], "
                + "\"parameters\": {\"binary_data_size\": 4}}]}";
        TurnoutException e = assertThrows(TurnoutException.class, () -> OipCodec.decode(json(header), halves, 4, 100,
                new BinaryTensors.Section(new byte[] {0, 0, 0, 0}, 0)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("INT16, which has no binary form"), e.getMessage());
    }

    @Test
    void binaryOutputsFollowTheJsonInTheOrderItListsThem() throws Exception {
        Tensor y = new Tensor("y", DataType.FP32, new long[] {1, 1}, new float[] {7});
        Tensor label = new Tensor("label", DataType.INT64, new long[] {1}, new long[] {3});
        OipCodec.Request request = decode("{\"inputs\": [" + X + ", " + IDS + "], \"parameters\": "
                + "{\"binary_data_output\": true}, \"outputs\": [{\"name\": \"label\"}, "
                + "{\"name\": \"y\", \"parameters\": {\"binary_data\": false}}]}");
        assertEquals(Set.of("label"), request.binaryOutputs());
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        Tensor[] outputs = {y, label};
        OipCodec.Response response = OipCodec.encode("linear", 4, request, outputs);
        Predictions.Binary answer = (Predictions.Binary) OipCodec.answer(mapper, request, response, outputs);
        var json = mapper.readTree(new String(answer.body(), 0, answer.headerLength(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(8, json.at("/outputs/1/parameters/binary_data_size").asInt());
        assertTrue(json.at("/outputs/1/data").isMissingNode());
        assertEquals(7.0, json.at("/outputs/0/data/0").asDouble());
        assertArrayEquals(new byte[] {3, 0, 0, 0, 0, 0, 0, 0},
                java.util.Arrays.copyOfRange(answer.body(), answer.headerLength(), answer.body().length));
        assertEquals(response, OipCodec.answer(mapper, decode(withInputs(X, IDS)), response, outputs),
                "all JSON without binary outputs");
    }

    @Test
    void dataBeforeItsDatatypeOrShapeIsReadAsATreeWithTheSameChecks() {
        assertArrayEquals(new float[] {1.5f, 2.5f}, (float[]) decode(withInputs(
                "{\"data\": [1.5, 2.5], \"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2]}", IDS))
                .inputs()[0].data());
        assertTrue(refused(withInputs("{\"data\": [1.5, \"a\"], \"name\": \"x\", \"datatype\": \"FP32\", "
                + "\"shape\": [1, 2]}", IDS)).contains("element 1"));
    }

    @Test
    void aFieldGivenAgainAfterStreamedDataIsRefused() {
        TurnoutException e = assertThrows(TurnoutException.class, () -> decodeStreamed(withInputs(
                "{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2], \"shape\": [2, 1]}",
                IDS)));
        assertEquals("an input gives 'shape' twice; give each field once", e.getMessage());
    }
}
