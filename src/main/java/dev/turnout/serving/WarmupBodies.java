package dev.turnout.serving;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;

import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Request bodies of zeros for a signature: one row, every dynamic dimension 1. What the warm-up sends through the
 * real HTTP stack, so it passes the same parsing and validation as a client's request.
 */
final class WarmupBodies {

    /** Bigger inputs are not warmed over HTTP (the JSON alone would cost more than the warm-up wins). */
    static final long MAX_ELEMENTS = 65_536;

    private WarmupBodies() {
    }

    /** The OIP v2 body ({@code POST /v2/models/{name}/infer}), or empty when an input is too big. */
    static Optional<String> oip(Signature signature) {
        StringJoiner inputs = new StringJoiner(",", "{\"inputs\":[", "]}");
        for (TensorSpec spec : signature.inputs()) {
            List<Long> shape = concrete(spec.shape());
            long elements = shape.stream().reduce(1L, Math::multiplyExact);
            if (elements > MAX_ELEMENTS) {
                return Optional.empty();
            }
            StringJoiner data = new StringJoiner(",", "[", "]");
            for (long i = 0; i < elements; i++) {
                data.add(zero(spec.datatype()));
            }
            inputs.add("{\"name\":" + quoted(spec.name()) + ",\"datatype\":\"" + spec.datatype().name() + "\",\"shape\":"
                    + joined(shape) + ",\"data\":" + data + "}");
        }
        return Optional.of(inputs.toString());
    }

    /**
     * The simple form ({@code POST /predict}, {@code {"example": ...}}): nested arrays of the one input's shape. Empty
     * for models of several inputs or a too big one.
     */
    static Optional<String> simple(Signature signature) {
        if (signature.inputs().size() != 1) {
            return Optional.empty();
        }
        TensorSpec spec = signature.inputs().get(0);
        List<Long> shape = concrete(spec.shape());
        if (shape.isEmpty() || shape.stream().reduce(1L, Math::multiplyExact) > MAX_ELEMENTS) {
            return Optional.empty();
        }
        return Optional.of("{\"example\":" + nested(shape, 0, zero(spec.datatype())) + "}");
    }

    private static String nested(List<Long> shape, int dimension, String zero) {
        if (dimension == shape.size()) {
            return zero;
        }
        StringJoiner array = new StringJoiner(",", "[", "]");
        for (long i = 0; i < shape.get(dimension); i++) {
            array.add(nested(shape, dimension + 1, zero));
        }
        return array.toString();
    }

    private static String joined(List<Long> shape) {
        StringJoiner dims = new StringJoiner(",", "[", "]");
        shape.forEach(d -> dims.add(Long.toString(d)));
        return dims.toString();
    }

    private static List<Long> concrete(List<Long> shape) {
        return shape.stream().map(d -> d == TensorSpec.DYNAMIC ? 1L : d).toList();
    }

    private static String zero(DataType type) {
        return switch (type) {
            case BOOL -> "false";
            case FP16, FP32, FP64 -> "0.0";
            default -> "0";
        };
    }

    private static String quoted(String name) {
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
