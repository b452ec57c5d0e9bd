package dev.turnout.serving.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /**
     * A parsed inference request: inputs in signature order, the outputs asked for (null: all), and those of them to
     * return as binary data.
     */
    record Request(String id, Tensor[] inputs, Set<String> outputs, Set<String> binaryOutputs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Response(String modelName, String modelVersion, String id, List<Output> outputs) {
    }

    /** Binary outputs carry their size in parameters and no data (the bytes follow the JSON). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Output(String name, String datatype, long[] shape, Map<String, Object> parameters, Object data) {
    }

    /**
     * @param binary the tensor bytes after the JSON header, for inputs with binary_data_size; {@link
     *               BinaryTensors.Section#NONE} when the request has no Inference-Header-Content-Length
     */
    static Request decode(JsonNode body, Signature signature, int maxInputs, int maxElements,
                          BinaryTensors.Section binary) {
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
        boolean binaryOutput = flag(parameters, "binary_data_output", "'parameters'");
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
            Tensor tensor = decodeInput(input, signature, maxElements, binary);
            if (byName.put(tensor.name(), tensor) != null) {
                throw TurnoutException.invalid("input '" + tensor.name() + "' is given twice");
            }
        }
        binary.finish();
        Tensor[] ordered = new Tensor[signature.inputs().size()];
        for (int i = 0; i < ordered.length; i++) {
            TensorSpec spec = signature.inputs().get(i);
            ordered[i] = byName.get(spec.name());
            if (ordered[i] == null) {
                throw TurnoutException.invalid("input '" + spec.name() + "' is missing; the model takes "
                        + signature.inputs());
            }
        }
        Set<String> binaryOutputs = new HashSet<>();
        Set<String> requested = requestedOutputs(body.get("outputs"), signature, binaryOutput, binaryOutputs);
        return new Request(id == null ? null : id.textValue(), ordered, requested, binaryOutputs);
    }

    /** A boolean parameter of the binary tensor extension; false when absent. */
    private static boolean flag(JsonNode parameters, String name, String where) {
        JsonNode value = parameters == null ? null : parameters.get(name);
        if (value != null && !value.isBoolean()) {
            throw TurnoutException.invalid(where + " has " + name + " " + value + "; it must be true or false");
        }
        return value != null && value.booleanValue();
    }

    private static Tensor decodeInput(JsonNode input, Signature signature, int maxElements,
                                      BinaryTensors.Section binary) {
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
        JsonNode parameters = input.get("parameters");
        if (parameters != null && !parameters.isObject()) {
            throw TurnoutException.invalid(where + " has 'parameters' that are not a JSON object");
        }
        JsonNode binarySize = parameters == null ? null : parameters.get("binary_data_size");
        JsonNode data = input.get("data");
        if (binarySize != null) {
            if (data != null) {
                throw TurnoutException.invalid(where + " has both 'data' and binary_data_size; send one, not both");
            }
            int count = TensorJson.checkedCount(where, spec, dims, maxElements);
            return new Tensor(spec.name(), spec.datatype(), dims, binary.next(where, type, count, binarySize));
        }
        if (data instanceof POJONode pojo && pojo.getPojo() instanceof TensorJson.Streamed streamed) {
            return TensorJson.read(where, spec, dims, streamed, maxElements);
        }
        if (data == null || !data.isArray()) {
            throw TurnoutException.invalid(where + " needs 'data': an array, flat or nested, in row-major order");
        }
        return TensorJson.read(where, spec, dims, data, maxElements);
    }

    /** The outputs asked for (null: all); adds those to return as binary data to {@code binary}. */
    private static Set<String> requestedOutputs(JsonNode outputs, Signature signature, boolean binaryOutput,
                                                Set<String> binary) {
        if (outputs == null) {
            if (binaryOutput) {
                signature.outputs().forEach(spec -> binary.add(spec.name()));
            }
            return null;
        }
        if (!outputs.isArray()) {
            throw TurnoutException.invalid("'outputs' must be an array of {\"name\"}");
        }
        Set<String> known = new HashSet<>();
        signature.outputs().forEach(spec -> known.add(spec.name()));
        Set<String> requested = new HashSet<>();
        for (JsonNode output : outputs) {
            if (!output.isObject()) {
                String entry = output.toString();
                throw TurnoutException.invalid("each entry of 'outputs' is an object {\"name\": ...}, not "
                        + RegistryRules.printable(entry.length() > 40 ? entry.substring(0, 40) + "…" : entry));
            }
            String name = output.path("name").asText(null);
            if (!output.path("name").isTextual() || !known.contains(name)) {
                throw TurnoutException.invalid("unknown output '" + RegistryRules.printable(name)
                        + "'; the model returns " + signature.outputs());
            }
            requested.add(name);
            JsonNode parameters = output.get("parameters");
            if (parameters != null && !parameters.isObject()) {
                throw TurnoutException.invalid("output '" + name + "' has 'parameters' that are not a JSON object");
            }
            JsonNode asBinary = parameters == null ? null : parameters.get("binary_data");
            if (asBinary == null ? binaryOutput : flag(parameters, "binary_data", "output '" + name + "'")) {
                binary.add(name);
            }
        }
        return requested;
    }

    static Response encode(String model, int version, Request request, Tensor[] outputs) {
        List<Output> encoded = new ArrayList<>(outputs.length);
        for (Tensor output : outputs) {
            if (!returned(request, output)) {
                continue;
            }
            if (request.binaryOutputs().contains(output.name())) {
                encoded.add(new Output(output.name(), output.datatype().name(), output.shape(),
                        Map.of("binary_data_size", BinaryTensors.sizeOf(output)), null));
            } else {
                encoded.add(new Output(output.name(), output.datatype().name(), output.shape(), null,
                        TensorJson.flat(output)));
            }
        }
        return new Response(model, Integer.toString(version), request.id(), encoded);
    }

    /**
     * The answer as the binary extension lays it out when any output is binary: the JSON response, then each binary
     * output's bytes in the order the JSON lists them. Otherwise the JSON response alone.
     */
    static Object answer(ObjectMapper mapper, Request request, Response response, Tensor[] outputs) {
        if (request.binaryOutputs().isEmpty()) {
            return response;
        }
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(response);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an inference response could not be written as JSON", e);
        }
        List<Tensor> binary = new ArrayList<>();
        int size = json.length;
        for (Tensor output : outputs) {
            if (returned(request, output) && request.binaryOutputs().contains(output.name())) {
                binary.add(output);
                size += BinaryTensors.sizeOf(output);
            }
        }
        ByteBuffer body = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN).put(json);
        binary.forEach(output -> BinaryTensors.put(output, body));
        return new Predictions.Binary(body.array(), json.length);
    }

    private static boolean returned(Request request, Tensor output) {
        return request.outputs() == null || request.outputs().contains(output.name());
    }
}
