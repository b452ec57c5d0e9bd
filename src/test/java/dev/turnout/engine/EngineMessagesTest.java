package dev.turnout.engine;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EngineMessagesTest {

    @Test
    void takesOutServerPathsAndNativeSourceLocations() {
        Path spooled = Path.of("target/test-data/uploads/resteasy-reactive13622805989260556283upload");
        String ort = "Error code - ORT_FAIL - message: Load model from " + spooled + " failed:"
                + "/onnxruntime_src/onnxruntime/core/graph/model.cc:165 onnxruntime::Model::Model(onnx::ModelProto&&, "
                + "const onnxruntime::PathString&, const onnxruntime::IOnnxRuntimeOpSchemaRegistryList*, "
                + "const onnxruntime::logging::Logger&, const onnxruntime::ModelOptions&) Missing opset in the model.\n"
                + "second line";
        assertEquals("Error code - ORT_FAIL - message: Load model from the artifact failed: Missing opset in the model.",
                EngineMessages.clean(ort, spooled));
        assertEquals("open failed for the artifact", EngineMessages.clean("open failed for "
                + spooled.toAbsolutePath(), spooled));
        assertEquals("PytorchStreamReader failed reading zip archive: failed finding central directory",
                EngineMessages.clean("PytorchStreamReader failed reading zip archive: failed finding central directory"
                        + "\nException raised from valid at ../caffe2/serialize/inline_container.cc:236", null));
        assertEquals("[ONNXRuntimeError] : 1 : FAIL : Load model failed: bad graph (node 3)", EngineMessages.clean(
                "[ONNXRuntimeError] : 1 : FAIL : Load model failed:/onnxruntime_src/onnxruntime/core/session/"
                        + "inference_session.cc:1621 onnxruntime::common::Status onnxruntime::InferenceSession::Initialize() "
                        + "bad graph (node 3)", null));
        assertEquals("unknown error", EngineMessages.clean(null, null));
    }
}
