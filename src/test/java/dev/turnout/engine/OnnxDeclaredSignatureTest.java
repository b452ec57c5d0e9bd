package dev.turnout.engine;

import ai.djl.engine.Engine;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signature read by the protobuf walk (no ONNX Runtime session) is the one an ONNX Runtime session reports, for
 * every self-contained ONNX fixture; types ONNX Runtime reports but Turnout does not take are refused by name.
 */
@QuarkusTest
class OnnxDeclaredSignatureTest {

    @Inject
    ModelLoader loader; // sets up DJL's offline environment

    private static final String[] SERVABLE_FIXTURES = {"linear-v1.onnx", "linear-v2.onnx", "mlp.onnx",
        "large-output.onnx", "small-types-in.onnx", "two-inputs.onnx", "initializer-input.onnx"};

    @Test
    void theWalkReadsWhatOnnxRuntimeReports() throws Exception {
        for (String fixture : SERVABLE_FIXTURES) {
            Path file = Fixtures.model(fixture).toPath();
            assertEquals(fromOnnxRuntime(file), OnnxExternalData.requireSelfContained(file), fixture);
        }
    }

    @Test
    void initializersListedAsInputsAreNotInputs() throws Exception {
        Signature signature = OnnxExternalData.requireSelfContained(Fixtures.model("initializer-input.onnx").toPath());
        assertEquals(List.of(new TensorSpec("x", DataType.FP32, List.of(-1L, 1L))), signature.inputs());
    }

    @Test
    void unsupportedElementTypesAreRefusedByName() {
        for (String[] fixture : new String[][] {{"identity-string.onnx", "STRING"}, {"identity-uint16.onnx", "UINT16"}}) {
            InvalidModelException e = assertThrows(InvalidModelException.class,
                    () -> OnnxExternalData.requireSelfContained(Fixtures.model(fixture[0]).toPath()));
            assertTrue(e.getMessage().contains("has element type " + fixture[1] + "; supported: "), e.getMessage());
        }
    }

    /** What the removed OnnxSignatures read from an ONNX Runtime session: the reference. */
    private static Signature fromOnnxRuntime(Path file) throws Exception {
        Engine.getEngine(ModelFormat.ONNX.djlEngine());
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString(), options)) {
            return new Signature(specs(session.getInputInfo()), specs(session.getOutputInfo()));
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
        List<TensorSpec> specs = new ArrayList<>();
        for (NodeInfo node : nodes.values()) {
            TensorInfo info = (TensorInfo) node.getInfo();
            DataType type = DataType.parse(switch (info.onnxType) {
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> "BOOL";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> "UINT8";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> "INT8";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> "INT16";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> "INT32";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> "INT64";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> "FP16";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> "FP32";
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> "FP64";
                default -> throw new AssertionError(info.onnxType);
            }).orElseThrow();
            specs.add(new TensorSpec(node.getName(), type,
                    Arrays.stream(info.getShape()).map(d -> d < 0 ? TensorSpec.DYNAMIC : d).boxed().toList()));
        }
        return specs;
    }
}
