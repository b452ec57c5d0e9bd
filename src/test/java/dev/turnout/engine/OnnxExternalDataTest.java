package dev.turnout.engine;

import dev.turnout.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The external-data walker, on the committed fixtures and on ModelProto bytes built here field by field. */
class OnnxExternalDataTest {

    // -- the committed fixtures (scripts/make-fixtures.py) ------------------------------------------------------

    @Test
    void flagsTheExternalDataFixture() throws Exception {
        OnnxExternalData.Reference found = find(Fixtures.model("external-data.onnx").toPath()).orElseThrow();
        assertEquals("w", found.tensor());
        assertEquals("../../../../etc/passwd", found.location());
    }

    @Test
    void flagsExternalDataInsideAnIfBranch() throws Exception {
        OnnxExternalData.Reference found = find(Fixtures.model("external-data-subgraph.onnx").toPath()).orElseThrow();
        assertEquals("w", found.tensor());
        assertEquals("/etc/hostname", found.location());
    }

    @Test
    void acceptsSelfContainedModels() throws Exception {
        for (String model : new String[] {"linear-v1.onnx", "linear-v2.onnx", "mlp.onnx"}) {
            assertEquals(Optional.empty(), find(Fixtures.model(model).toPath()), model);
        }
        // an unknown trailing field (as Fixtures.uniqueOnnx adds) is skipped like any other
        assertEquals(Optional.empty(), find(Fixtures.uniqueOnnx("mlp.onnx").toPath()));
    }

    @Test
    void skipsLargeWeightsWithoutChoking() throws Exception {
        // an initializer with 8 MiB of raw_data, flagged only by the data_location that follows it
        byte[] model = model(graph(field(5, concat(string(8, "big"), field(9, new byte[8 << 20]), varintField(14, 1)))));
        Path file = Files.createTempFile("big", ".onnx");
        try {
            Files.write(file, model);
            assertEquals("big", find(file).orElseThrow().tensor());
        } finally {
            Files.delete(file);
        }
    }

    // -- every place a TensorProto can be, built by hand ---------------------------------------------------------

    static final byte[] EXTERNAL = tensor("t", true);
    static final byte[] INTERNAL = tensor("t", false);

    @Test
    void everyPlaceATensorCanBe() throws Exception {
        byte[][] places = {
                model(graph(field(5, EXTERNAL))),                                          // initializer
                model(graph(field(15, field(1, EXTERNAL)))),                               // sparse_initializer.values
                model(graph(field(15, concat(field(1, INTERNAL), field(2, EXTERNAL))))),   // sparse_initializer.indices
                model(graph(node(attribute(5, EXTERNAL)))),                                // Constant's value (t)
                model(graph(node(attribute(10, INTERNAL, EXTERNAL)))),                     // tensors
                model(graph(node(attribute(22, field(2, EXTERNAL))))),                     // sparse_tensor
                model(graph(node(attribute(23, field(1, INTERNAL), field(1, EXTERNAL))))), // sparse_tensors
                model(graph(node(attribute(6, graph(field(5, EXTERNAL)))))),               // g: If's then_branch
                model(graph(node(attribute(11, graph(), graph(node(attribute(5, EXTERNAL))))))), // graphs: Loop body
                field(25, field(7, nodeProto(attribute(5, EXTERNAL)))),                         // functions[].node
                field(20, field(1, graph(field(5, EXTERNAL)))),                            // training_info.initialization
                field(20, field(2, graph(node(attribute(5, EXTERNAL))))),                  // training_info.algorithm
        };
        for (int i = 0; i < places.length; i++) {
            int place = i;
            OnnxExternalData.Reference found = OnnxExternalData.find(places[i]).orElseThrow(() -> new AssertionError(
                    "not found in place " + place));
            assertEquals("t", found.tensor());
            assertEquals("weights.bin", found.location());
        }
        // the same places holding self-contained tensors are fine
        assertEquals(Optional.empty(), OnnxExternalData.find(model(graph(
                field(5, INTERNAL), field(15, field(1, INTERNAL)),
                node(attribute(5, INTERNAL)), node(attribute(6, graph(field(5, INTERNAL))))))));
    }

    @Test
    void refusesAFunctionsDefaultAttributeHoldingExternalData() throws Exception {
        // FunctionProto.attribute_proto (11): an attribute's default value, which may be a tensor (or a graph) whose
        // data ONNX Runtime would read from outside the model when a call site leaves the attribute out
        byte[] function = concat(string(1, "f"), string(10, "local"), field(11, attribute(5, EXTERNAL)),
                field(7, nodeProto(attribute(5, INTERNAL))));
        byte[] model = concat(model(graph()), field(25, function));
        OnnxExternalData.Reference found = OnnxExternalData.find(model).orElseThrow(() -> new AssertionError(
                "a default attribute of a function was not looked into"));
        assertEquals("weights.bin", found.location());
        byte[] inSubgraph = concat(model(graph()), field(25, field(11, attribute(6, graph(field(5, EXTERNAL))))));
        assertEquals("t", OnnxExternalData.find(inSubgraph).orElseThrow().tensor());

        Path file = Files.createTempFile("function-default", ".onnx");
        try {
            Files.write(file, model);
            InvalidModelException refused = assertThrows(InvalidModelException.class,
                    () -> OnnxExternalData.requireSelfContained(file));
            assertTrue(refused.getMessage().contains("external data"), refused.getMessage());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void eitherMarkIsEnough() throws Exception {
        // data_location EXTERNAL without any external_data entry
        byte[] locationOnly = concat(string(8, "a"), varintField(14, 1));
        assertEquals("a", OnnxExternalData.find(model(graph(field(5, locationOnly)))).orElseThrow().tensor());
        // an external_data entry without data_location (ONNX Runtime checks the location; refuse both anyway)
        byte[] entryOnly = concat(string(8, "b"), field(13, concat(string(1, "location"), string(2, "x.bin"))));
        assertEquals("x.bin", OnnxExternalData.find(model(graph(field(5, entryOnly)))).orElseThrow().location());
        // data_location DEFAULT (0), written explicitly, is not external
        byte[] explicitDefault = concat(string(8, "c"), varintField(14, 0));
        assertEquals(Optional.empty(), OnnxExternalData.find(model(graph(field(5, explicitDefault)))));
    }

    @Test
    void nestingIsBounded() throws Exception {
        byte[] shallow = graph(field(5, EXTERNAL));
        for (int level = 0; level < 15; level++) { // 15 subgraphs deep: still looked into
            shallow = graph(node(attribute(6, shallow)));
        }
        assertEquals("t", OnnxExternalData.find(model(shallow)).orElseThrow().tensor());
        byte[] graph = graph(field(5, INTERNAL));
        for (int level = 0; level < 30; level++) { // three messages a level: past the bound of 64
            graph = graph(node(attribute(6, graph)));
        }
        byte[] deep = model(graph);
        OnnxExternalData.MalformedException e = assertThrows(OnnxExternalData.MalformedException.class,
                () -> OnnxExternalData.find(deep));
        assertTrue(e.getMessage().contains("deep"), e.getMessage());
    }

    // -- not protobuf ----------------------------------------------------------------------------------------------

    @Test
    void refusesMalformedProtobuf() throws Exception {
        byte[] mlp = Files.readAllBytes(Fixtures.model("mlp.onnx").toPath());
        malformed(Arrays.copyOf(mlp, mlp.length - 1));                           // truncated in its last field
        malformed(Arrays.copyOf(mlp, mlp.length / 2));                           // truncated inside the graph
        malformed("this is not a model at all".getBytes(StandardCharsets.UTF_8)); // text
        malformed(new byte[] {0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01});        // an 11-byte varint
        malformed(new byte[] {0x3a, 0x05, 0x2a, 0x7f});                         // a length past its message
        malformed(new byte[] {0x3a, 0x02, 0x09, 0x00});                         // a fixed64 past its message
        malformed(new byte[] {0x0b, 0x0c});                                     // a group (wire type 3)
        malformed(new byte[] {0x0e});                                           // wire type 6
        malformed(new byte[] {0x00, 0x00});                                     // field number 0
        malformed(Files.readAllBytes(Fixtures.model("linear-v1.pt").toPath())); // a zip, not protobuf
    }

    @Test
    void neverFailsOtherwiseOnTruncationsAndRandomBytes() throws Exception {
        byte[] external = Files.readAllBytes(Fixtures.model("external-data-subgraph.onnx").toPath());
        for (int length = 0; length <= external.length; length++) {
            survives(Arrays.copyOf(external, length));
        }
        long seed = 20240601L;
        Random random = new Random(seed);
        byte[] mlp = Files.readAllBytes(Fixtures.model("mlp.onnx").toPath());
        for (int i = 0; i < 5000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[random.nextInt(300)];
                random.nextBytes(bytes);
            } else { // a real model with a few bytes flipped
                bytes = mlp.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            survives(bytes);
        }
    }

    /** Either answers or refuses as malformed: nothing else (no runtime exception, no hang). */
    private static void survives(byte[] bytes) {
        try {
            OnnxExternalData.find(bytes);
        } catch (OnnxExternalData.MalformedException expected) {
            // refused
        }
    }

    private static void malformed(byte[] bytes) {
        assertThrows(OnnxExternalData.MalformedException.class, () -> OnnxExternalData.find(bytes),
                () -> "accepted " + Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 16))));
    }

    private static Optional<OnnxExternalData.Reference> find(Path file) throws Exception {
        return OnnxExternalData.find(file);
    }

    // -- protobuf by hand ------------------------------------------------------------------------------------------

    /** A TensorProto (dims 1, data_type 2, name 8, raw_data 9): dims [1], FLOAT; external ones point at weights.bin. */
    static byte[] tensor(String name, boolean external) {
        byte[] common = concat(varintField(1, 1), varintField(2, 1), string(8, name));
        if (!external) {
            return concat(common, field(9, new byte[4]));
        }
        return concat(common, field(13, concat(string(1, "location"), string(2, "weights.bin"))),
                field(13, concat(string(1, "length"), string(2, "4"))), varintField(14, 1));
    }

    static byte[] model(byte[] graph) {
        return concat(varintField(1, 8), field(7, graph), field(8, concat(string(1, ""), varintField(2, 13))));
    }

    static byte[] graph(byte[]... fields) {
        return concat(concat(fields), string(2, "g"));
    }

    /** A NodeProto in GraphProto.node (1). */
    static byte[] node(byte[] attribute) {
        return field(1, nodeProto(attribute));
    }

    /** A NodeProto: input 1, output 2, op_type 4, attribute 5. */
    static byte[] nodeProto(byte[] attribute) {
        return concat(string(1, "in"), string(2, "out"), string(4, "Op"), field(5, attribute));
    }

    /** An AttributeProto named "a" with the given message values in field {@code number}. */
    static byte[] attribute(int number, byte[]... values) {
        byte[] attribute = string(1, "a");
        for (byte[] value : values) {
            attribute = concat(attribute, field(number, value));
        }
        return attribute;
    }

    static byte[] field(int number, byte[] message) {
        return concat(varint((long) number << 3 | 2), varint(message.length), message);
    }

    static byte[] string(int number, String value) {
        return field(number, value.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] varintField(int number, long value) {
        return concat(varint((long) number << 3), varint(value));
    }

    static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int low = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value == 0 ? low : low | 0x80);
        } while (value != 0);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
