package dev.turnout.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * An input or output as an ONNX graph declares it (ValueInfoProto), read by {@link OnnxExternalData}'s walk. The
 * element type is ONNX's own number (TensorProto.DataType), not ONNX Runtime's Java enum, which reports UINT16 as
 * INT16.
 */
record OnnxValueInfo(String name, boolean tensor, int elementType, List<Long> shape) {

    /** TensorProto.DataType names by number, as ONNX Runtime prints them in its element type names. */
    private static final String[] ELEMENT_TYPES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
        "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};

    TensorSpec spec() throws InvalidModelException {
        String shownName = OnnxExternalData.shown(name);
        if (!tensor) {
            throw new InvalidModelException(InvalidModelException.Reason.NOT_LOADABLE,
                    "'" + shownName + "' is not a tensor; only tensor inputs and outputs are supported");
        }
        DataType type = DataType.fromOnnxElementType(elementType).orElseThrow(() -> new InvalidModelException(
                InvalidModelException.Reason.NOT_LOADABLE, "'" + shownName + "' has element type "
                + (elementType >= 0 && elementType < ELEMENT_TYPES.length ? ELEMENT_TYPES[elementType] : elementType)
                + "; supported: " + DataType.ACCEPTED));
        return new TensorSpec(name, type, shape);
    }

    static final class Builder {
        String name = "";
        boolean tensor;
        boolean shaped;
        int elementType;
        final List<Long> shape = new ArrayList<>();

        OnnxValueInfo build() {
            return new OnnxValueInfo(name, tensor, elementType, shaped ? shape : List.of());
        }
    }
}
