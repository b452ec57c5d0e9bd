package dev.turnout.serving.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bodies without types or shapes (TF Serving REST and the simple {@code {"example": ...}} form): shapes come from
 * the nesting of the JSON arrays, types from the signature. A value is either the single input itself, or an object
 * keyed by input name.
 */
final class SimpleCodec {

    private SimpleCodec() {
    }

    /** Columnar: {@code value} is one input's whole tensor, or an object of them by name. */
    static Tensor[] columns(JsonNode value, Signature signature, int maxElements, String what) {
        Map<String, JsonNode> byName = byName(value, signature, what);
        Tensor[] tensors = new Tensor[signature.inputs().size()];
        for (int i = 0; i < tensors.length; i++) {
            TensorSpec spec = signature.inputs().get(i);
            JsonNode data = byName.get(spec.name());
            tensors[i] = TensorJson.read("input '" + spec.name() + "'", spec, TensorJson.shapeOf(data), data, maxElements);
        }
        return tensors;
    }

    /** Rows: each instance is one row of every input; they are stacked along a new first dimension. */
    static Tensor[] rows(JsonNode instances, Signature signature, int maxElements) {
        if (!instances.isArray() || instances.isEmpty()) {
            throw TurnoutException.invalid("'instances' must be a non-empty array: an empty batch cannot be predicted");
        }
        Map<String, ArrayNode> columns = new LinkedHashMap<>();
        signature.inputs().forEach(spec -> columns.put(spec.name(), JsonNodeFactory.instance.arrayNode()));
        for (JsonNode instance : instances) {
            byName(instance, signature, "each instance").forEach((name, value) -> columns.get(name).add(value));
        }
        Tensor[] tensors = new Tensor[signature.inputs().size()];
        for (int i = 0; i < tensors.length; i++) {
            TensorSpec spec = signature.inputs().get(i);
            ArrayNode data = columns.get(spec.name());
            tensors[i] = TensorJson.read("input '" + spec.name() + "'", spec, TensorJson.shapeOf(data), data, maxElements);
        }
        return tensors;
    }

    private static Map<String, JsonNode> byName(JsonNode value, Signature signature, String what) {
        List<TensorSpec> inputs = signature.inputs();
        if (!value.isObject()) {
            if (inputs.size() > 1) {
                throw TurnoutException.invalid(what + " must be an object keyed by input name; the model takes " + inputs);
            }
            if (!value.isArray() && !value.isNumber() && !value.isBoolean()) {
                throw TurnoutException.invalid(what + " must be a number, a boolean or a (nested) array of them; "
                        + "the model takes " + inputs);
            }
            return Map.of(inputs.get(0).name(), value);
        }
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        value.fields().forEachRemaining(field -> {
            if (inputs.stream().noneMatch(spec -> spec.name().equals(field.getKey()))) {
                throw TurnoutException.invalid("unknown input '" + RegistryRules.printable(field.getKey())
                        + "'; the model takes " + inputs);
            }
            byName.put(field.getKey(), field.getValue());
        });
        for (TensorSpec spec : inputs) {
            if (!byName.containsKey(spec.name())) {
                throw TurnoutException.invalid("input '" + spec.name() + "' is missing; the model takes " + inputs);
            }
        }
        return byName;
    }

    /** The single output's nested data, or an object of them by name. */
    static Object columnsOut(Tensor[] outputs) {
        if (outputs.length == 1) {
            return TensorJson.nested(outputs[0]);
        }
        Map<String, Object> byName = new LinkedHashMap<>();
        for (Tensor output : outputs) {
            byName.put(output.name(), TensorJson.nested(output));
        }
        return byName;
    }

    /** One entry per row: the single output's row, or an object of every output's row. */
    static Object rowsOut(Tensor[] outputs) {
        if (outputs.length == 1) {
            return TensorJson.nested(outputs[0]);
        }
        long[] first = outputs[0].shape();
        for (Tensor output : outputs) { // one row of every output per instance, as TF Serving's row form requires
            if (first.length == 0 || output.shape().length == 0 || output.shape()[0] != first[0]) {
                throw TurnoutException.invalid("the model's outputs do not share one batch dimension ("
                        + outputs[0].name() + ": " + Arrays.toString(first) + ", " + output.name() + ": "
                        + Arrays.toString(output.shape()) + "), which the row form ('instances') needs; send "
                        + "\"inputs\" for the columnar form");
            }
        }
        int rows = (int) first[0];
        Object[] predictions = new Object[rows];
        for (int row = 0; row < rows; row++) {
            Map<String, Object> byName = new LinkedHashMap<>();
            for (Tensor output : outputs) {
                byName.put(output.name(), TensorJson.nestedRow(output, row));
            }
            predictions[row] = byName;
        }
        return predictions;
    }
}
