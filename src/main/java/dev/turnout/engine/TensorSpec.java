package dev.turnout.engine;

import java.util.List;

/** One named input or output of a model: element type and shape, -1 marking a dynamic dimension. */
public record TensorSpec(String name, DataType datatype, List<Long> shape) {

    public static final long DYNAMIC = -1;

    public TensorSpec {
        shape = List.copyOf(shape);
    }

    /** True when {@code other} fits this spec: same name, type and rank; fixed dimensions equal. */
    public boolean accepts(TensorSpec other) {
        if (!name.equals(other.name) || datatype != other.datatype || shape.size() != other.shape.size()) {
            return false;
        }
        for (int i = 0; i < shape.size(); i++) {
            long mine = shape.get(i);
            if (mine != DYNAMIC && mine != other.shape.get(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name + ":" + datatype + shape;
    }
}
