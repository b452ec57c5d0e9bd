package dev.turnout.serving.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Open Inference Protocol v2 request and response bodies, checked against the serving model's signature. */
final class OipCodec {

    private OipCodec() {
    }

    /** A parsed inference request: inputs in signature order, and the outputs asked for (null: all). */
    record Request(String id, Tensor[] inputs, Set<String> outputs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Response(String modelName, String modelVersion, String id, List<Output> outputs) {
    }

    record Output(String name, String datatype, long[] shape, Object data) {
    }

    static Request decode(JsonNode body, Signature signature, int maxInputs, int maxElements) {
        if (!body.isObject()) {
            throw TurnoutException.invalid("the request must be a JSON object {\"inputs\": [...]}");
        }
        JsonNode id = body.get("id");
        if (id != null && !id.isTextual()) {
            throw TurnoutException.invalid("'id' must be a string");
        }
        JsonNode parameters = body.get("parameters");
        if (parameters != null && !parameters.isObject()) {
            throw TurnoutException.invalid("'parameters' must be a JSON object");
        }
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw TurnoutException.invalid("'inputs' must be a non-empty array of {\"name\", \"shape\", \"datatype\", "
                    + "\"data\"}; the model takes " + signature.inputs());
        }
        if (inputs.size() > maxInputs) {
            throw TurnoutException.invalid("at most " + maxInputs + " inputs per request (turnout.serving.max-inputs)");
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (JsonNode input : inputs) {
            Tensor tensor = decodeInput(input, signature, maxElements);
            if (byName.put(tensor.name(), tensor) != null) {
                throw TurnoutException.invalid("input '" + tensor.name() + "' is given twice");
            }
        }
        Tensor[] ordered = new Tensor[signature.inputs().size()];
        for (int i = 0; i < ordered.length; i++) {
            TensorSpec spec = signature.inputs().get(i);
            ordered[i] = byName.get(spec.name());
            if (ordered[i] == null) {
                throw TurnoutException.invalid("input '" + spec.name() + "' is missing; the model takes "
                        + signature.inputs());
            }
        }
        return new Request(id == null ? null : id.textValue(), ordered, requestedOutputs(body.get("outputs"), signature));
    }

    private static Tensor decodeInput(JsonNode input, Signature signature, int maxElements) {
        if (!input.isObject() || !input.path("name").isTextual()) {
            throw TurnoutException.invalid("each input must be an object with a string 'name'");
        }
        String name = input.get("name").textValue();
        TensorSpec spec = signature.inputs().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> TurnoutException.invalid("unknown input '" + RegistryRules.printable(name)
                        + "'; the model takes " + signature.inputs()));
        String where = "input '" + name + "'";
        JsonNode datatype = input.get("datatype");
        if (datatype == null || !datatype.isTextual()) {
            throw TurnoutException.invalid(where + " needs a 'datatype'; the model takes " + spec.datatype());
        }
        DataType type = DataType.parse(datatype.textValue()).orElseThrow(() -> TurnoutException.invalid(where
                + " has datatype '" + RegistryRules.printable(datatype.textValue()) + "', which is not supported; "
                + "supported: " + DataType.SERVABLE));
        if (type != spec.datatype()) {
            throw TurnoutException.invalid(where + " is " + type + " but the model takes " + spec.datatype());
        }
        JsonNode shape = input.get("shape");
        if (shape == null || !shape.isArray()) {
            throw TurnoutException.invalid(where + " needs a 'shape' (an array of dimensions); the model takes "
                    + spec.shape());
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode dim = shape.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong()) {
                throw TurnoutException.invalid(where + " has shape " + shape + "; dimensions are whole numbers");
            }
            dims[i] = dim.longValue();
        }
        JsonNode data = input.get("data");
        if (data == null || !data.isArray()) {
            throw TurnoutException.invalid(where + " needs 'data': an array, flat or nested, in row-major order");
        }
        return TensorJson.read(where, spec, dims, data, maxElements);
    }

    private static Set<String> requestedOutputs(JsonNode outputs, Signature signature) {
        if (outputs == null) {
            return null;
        }
        if (!outputs.isArray()) {
            throw TurnoutException.invalid("'outputs' must be an array of {\"name\"}");
        }
        Set<String> known = new HashSet<>();
        signature.outputs().forEach(spec -> known.add(spec.name()));
        Set<String> requested = new HashSet<>();
        for (JsonNode output : outputs) {
            String name = output.path("name").asText(null);
            if (!output.path("name").isTextual() || !known.contains(name)) {
                throw TurnoutException.invalid("unknown output '" + RegistryRules.printable(name)
                        + "'; the model returns " + signature.outputs());
            }
            requested.add(name);
        }
        return requested;
    }

    static Response encode(String model, int version, Request request, Tensor[] outputs) {
        List<Output> encoded = new ArrayList<>(outputs.length);
        for (Tensor output : outputs) {
            if (request.outputs() == null || request.outputs().contains(output.name())) {
                encoded.add(new Output(output.name(), output.datatype().name(), output.shape(), TensorJson.flat(output)));
            }
        }
        return new Response(model, Integer.toString(version), request.id(), encoded);
    }
}
