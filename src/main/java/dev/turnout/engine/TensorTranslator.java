package dev.turnout.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.List;

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
                case UINT8, INT8 -> manager.create(ByteBuffer.wrap((byte[]) tensor.data()), shape,
                        tensor.datatype().toDjl());
                case FP16 -> manager.create(halves((short[]) tensor.data()), shape, tensor.datatype().toDjl());
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
                case UINT8, INT8 -> array.toByteArray();
                case FP16 -> halves(array);
                default -> array.toBooleanArray();
            };
            outputs[i] = new Tensor(specs[i].name(), specs[i].datatype(), array.getShape().getShape(), data);
        }
        return outputs;
    }

    /**
     * FP16 bits for the engine: a direct buffer in native order, the one form every engine takes as it is (ONNX Runtime
     * 1.21's Java API copies any other buffer for FP16 through a cast that fails).
     */
    private static ByteBuffer halves(short[] bits) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bits.length * Short.BYTES).order(ByteOrder.nativeOrder());
        buffer.asShortBuffer().put(bits);
        return buffer;
    }

    /** FP16 bits out of the engine, whose buffers are in native byte order. */
    private static short[] halves(NDArray array) {
        ShortBuffer buffer = array.toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
        short[] bits = new short[buffer.remaining()];
        buffer.get(bits);
        return bits;
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
            DataType type = DataType.fromDjl(array.getDataType()).orElse(null);
            if (type == null || !type.servable()) {
                throw new IllegalStateException("the model returned " + array.getDataType() + " for output " + name
                        + ", which cannot be served yet");
            }
            specs[i] = new TensorSpec(name, type, boxed(array.getShape().getShape()));
        }
        return specs;
    }

    /** A shape as the list a {@link TensorSpec} holds (called for every output of every prediction: no stream). */
    private static List<Long> boxed(long[] shape) {
        Long[] dims = new Long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return List.of(dims);
    }
}
