package dev.turnout.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.util.Arrays;

/**
 * Moves plain Java arrays in and out of DJL's NDArrays. Inputs arrive in signature order (PyTorch binds by position,
 * ONNX Runtime by name, so both are set); outputs without a name (TorchScript) take the signature's. An output over
 * {@code maxOutputElements} is refused before any output is copied out of the engine.
 */
final class TensorTranslator implements NoBatchifyTranslator<Tensor[], Tensor[]> {

    private final Signature signature;
    private final long maxOutputElements;

    TensorTranslator(Signature signature, long maxOutputElements) {
        this.signature = signature;
        this.maxOutputElements = maxOutputElements;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Tensor[] inputs) {
        return toEngine(ctx.getNDManager(), inputs);
    }

    static NDList toEngine(NDManager manager, Tensor[] inputs) {
        NDList list = new NDList(inputs.length);
        for (Tensor tensor : inputs) {
            Shape shape = new Shape(tensor.shape());
            NDArray array = switch (tensor.datatype()) {
                case FP32 -> manager.create((float[]) tensor.data(), shape);
                case FP64 -> manager.create((double[]) tensor.data(), shape);
                case INT32 -> manager.create((int[]) tensor.data(), shape);
                case INT64 -> manager.create((long[]) tensor.data(), shape);
                case BOOL -> manager.create((boolean[]) tensor.data(), shape);
                default -> throw new IllegalArgumentException(tensor.datatype() + " tensors cannot be served yet");
            };
            array.setName(tensor.name());
            list.add(array);
        }
        return list;
    }

    @Override
    public Tensor[] processOutput(TranslatorContext ctx, NDList list) {
        // Every output is described and checked before any is copied: a refused prediction costs no heap.
        TensorSpec[] specs = describe(list, signature);
        for (int i = 0; i < list.size(); i++) {
            long elements = list.get(i).size();
            if (elements > maxOutputElements) {
                throw new OutputTooLargeException(specs[i].name(), elements, maxOutputElements);
            }
        }
        Tensor[] outputs = new Tensor[list.size()];
        for (int i = 0; i < list.size(); i++) {
            NDArray array = list.get(i);
            Object data = switch (specs[i].datatype()) {
                case FP32 -> array.toFloatArray();
                case FP64 -> array.toDoubleArray();
                case INT32 -> array.toIntArray();
                case INT64 -> array.toLongArray();
                default -> array.toBooleanArray();
            };
            outputs[i] = new Tensor(specs[i].name(), specs[i].datatype(), array.getShape().getShape(), data);
        }
        return outputs;
    }

    /**
     * Each output's name, servable datatype and shape, read from the engine's tensors without copying their data.
     *
     * @throws IllegalStateException an output has a datatype that cannot be served
     */
    static TensorSpec[] describe(NDList list, Signature signature) {
        TensorSpec[] specs = new TensorSpec[list.size()];
        for (int i = 0; i < list.size(); i++) {
            NDArray array = list.get(i);
            String name = array.getName() != null ? array.getName()
                    : i < signature.outputs().size() ? signature.outputs().get(i).name() : "output_" + i;
            DataType type = DataType.fromDjl(array.getDataType())
                    .filter(DataType::servable)
                    .orElseThrow(() -> new IllegalStateException("the model returned " + array.getDataType()
                            + " for output " + name + ", which cannot be served yet"));
            specs[i] = new TensorSpec(name, type, Arrays.stream(array.getShape().getShape()).boxed().toList());
        }
        return specs;
    }
}
