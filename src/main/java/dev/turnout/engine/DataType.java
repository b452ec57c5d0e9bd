package dev.turnout.engine;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Tensor element types, named as the Open Inference Protocol names them. A servable type's data travels as a flat
 * Java array holding exactly the engine's bytes: {@code boolean[]} for BOOL, {@code byte[]} for UINT8 (read each
 * element as {@code b & 0xff}) and INT8, {@code int[]} for INT32, {@code long[]} for INT64, {@code short[]} of IEEE
 * 754 half-precision bits for FP16 (see {@link Float16}), {@code float[]} for FP32, {@code double[]} for FP64.
 */
public enum DataType {
    BOOL(ai.djl.ndarray.types.DataType.BOOLEAN),
    UINT8(ai.djl.ndarray.types.DataType.UINT8),
    INT8(ai.djl.ndarray.types.DataType.INT8),
    INT16(ai.djl.ndarray.types.DataType.INT16),
    INT32(ai.djl.ndarray.types.DataType.INT32),
    INT64(ai.djl.ndarray.types.DataType.INT64),
    FP16(ai.djl.ndarray.types.DataType.FLOAT16),
    FP32(ai.djl.ndarray.types.DataType.FLOAT32),
    FP64(ai.djl.ndarray.types.DataType.FLOAT64);

    public static final String ACCEPTED = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    /** The types a request may carry, for messages. */
    public static final String SERVABLE = Arrays.stream(values()).filter(DataType::servable).map(Enum::name)
            .collect(Collectors.joining(", "));

    private static final DataType[] VALUES = values();

    private final ai.djl.ndarray.types.DataType djl;

    DataType(ai.djl.ndarray.types.DataType djl) {
        this.djl = djl;
    }

    /**
     * Whether requests may carry this type. INT16 may appear in signatures but cannot be served: DJL 0.38's ONNX
     * Runtime engine refuses to create INT16 tensors ("Data type not supported").
     */
    public boolean servable() {
        return this != INT16;
    }

    public ai.djl.ndarray.types.DataType toDjl() {
        return djl;
    }

    public static Optional<DataType> parse(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst();
    }

    /** Every output of every prediction is looked up here: a plain loop over one shared array, no stream. */
    public static Optional<DataType> fromDjl(ai.djl.ndarray.types.DataType type) {
        for (DataType t : VALUES) {
            if (t.djl == type) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * From the ONNX element type number (TensorProto.DataType), as the model declares it: not ONNX Runtime's Java
     * type, which reports UINT16 as INT16 and would give such a model a signature that misreads half its values.
     */
    static Optional<DataType> fromOnnxElementType(int type) {
        return switch (type) {
            case 9 -> Optional.of(BOOL);
            case 2 -> Optional.of(UINT8);
            case 3 -> Optional.of(INT8);
            case 5 -> Optional.of(INT16);
            case 6 -> Optional.of(INT32);
            case 7 -> Optional.of(INT64);
            case 10 -> Optional.of(FP16);
            case 1 -> Optional.of(FP32);
            case 11 -> Optional.of(FP64);
            default -> Optional.empty();
        };
    }
}
