package dev.turnout.engine;

import ai.djl.engine.Engine;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reads an ONNX model's signature from the model itself (DJL's API exposes names, not types). */
final class OnnxSignatures {

    private OnnxSignatures() {
    }

    static Signature read(Path file) throws InvalidModelException {
        // DJL creates the process-wide OrtEnvironment with its own thread pool settings; it must come first.
        Engine.getEngine(ModelFormat.ONNX.djlEngine());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), options)) {
                return new Signature(specs(session.getInputInfo()), specs(session.getOutputInfo()));
            }
        } catch (OrtException e) {
            throw new InvalidModelException(InvalidModelException.Reason.NOT_LOADABLE,
                    "ONNX Runtime cannot load it: " + EngineMessages.clean(e.getMessage(), file), e);
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) throws InvalidModelException {
        List<TensorSpec> specs = new ArrayList<>();
        for (NodeInfo node : nodes.values()) {
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new InvalidModelException(InvalidModelException.Reason.NOT_LOADABLE,
                        "'" + node.getName() + "' is not a tensor; only tensor inputs and outputs are supported");
            }
            DataType type = DataType.fromOnnx(info.onnxType).orElseThrow(() -> new InvalidModelException(
                    InvalidModelException.Reason.NOT_LOADABLE, "'" + node.getName() + "' has element type "
                    + info.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "") + "; supported: "
                    + DataType.ACCEPTED));
            long[] shape = info.getShape();
            specs.add(new TensorSpec(node.getName(), type,
                    Arrays.stream(shape).map(d -> d < 0 ? TensorSpec.DYNAMIC : d).boxed().toList()));
        }
        return specs;
    }
}
