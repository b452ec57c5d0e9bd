package dev.turnout.engine;

import ai.onnxruntime.OnnxJavaType;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Tensor element types, named as the Open Inference Protocol names them. */
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

    private final ai.djl.ndarray.types.DataType djl;

    DataType(ai.djl.ndarray.types.DataType djl) {
        this.djl = djl;
    }

    /** Whether requests may carry this type (the rest may appear in signatures but cannot be served yet). */
    public boolean servable() {
        return this == BOOL || this == INT32 || this == INT64 || this == FP32 || this == FP64;
    }

    public ai.djl.ndarray.types.DataType toDjl() {
        return djl;
    }

    public static Optional<DataType> parse(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst();
    }

    public static Optional<DataType> fromDjl(ai.djl.ndarray.types.DataType type) {
        return Arrays.stream(values()).filter(t -> t.djl == type).findFirst();
    }

    static Optional<DataType> fromOnnx(OnnxJavaType type) {
        return switch (type) {
            case BOOL -> Optional.of(BOOL);
            case UINT8 -> Optional.of(UINT8);
            case INT8 -> Optional.of(INT8);
            case INT16 -> Optional.of(INT16);
            case INT32 -> Optional.of(INT32);
            case INT64 -> Optional.of(INT64);
            case FLOAT16 -> Optional.of(FP16);
            case FLOAT -> Optional.of(FP32);
            case DOUBLE -> Optional.of(FP64);
            default -> Optional.empty();
        };
    }
}
