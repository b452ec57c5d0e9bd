package dev.turnout.registry.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.JsonIntegers;
import dev.turnout.registry.RegistryRules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the registry's JSON fields (metrics, tags, signature) strictly, saying exactly what is accepted. */
final class RegistryJson {

    static final String METRICS_FORM = "a JSON object of finite numbers, e.g. {\"accuracy\": 0.93, \"rmse\": 0.12}";
    static final String TAGS_FORM = "a JSON object of strings, e.g. {\"team\": \"fraud\"}";
    static final String SIGNATURE_FORM = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 1]}], "
            + "\"outputs\": [...]} with datatypes " + DataType.ACCEPTED + " and -1 for dynamic dimensions";
    private static final int MAX_TENSORS = 64;
    private static final int MAX_RANK = 16;

    private RegistryJson() {
    }

    static JsonNode parse(ObjectMapper mapper, String part, String text) {
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw TurnoutException.invalid("'" + part + "' is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static Map<String, Double> metrics(JsonNode node, boolean allowRemoval) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (var field : object(node, "metrics", METRICS_FORM)) {
            JsonNode value = field.getValue();
            if (value.isNull() && allowRemoval) {
                metrics.put(field.getKey(), null);
            } else if (value.isNumber()) {
                metrics.put(field.getKey(), value.doubleValue());
            } else {
                throw TurnoutException.invalid("metric '" + RegistryRules.printable(field.getKey()) + "' is "
                        + value.getNodeType().name().toLowerCase() + "; 'metrics' must be " + METRICS_FORM);
            }
        }
        RegistryRules.checkMetrics(metrics, allowRemoval);
        return metrics;
    }

    static Map<String, String> tags(JsonNode node, boolean allowRemoval) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (var field : object(node, "tags", TAGS_FORM)) {
            JsonNode value = field.getValue();
            if (value.isNull() && allowRemoval) {
                tags.put(field.getKey(), null);
            } else if (value.isTextual()) {
                tags.put(field.getKey(), value.textValue());
            } else {
                throw TurnoutException.invalid("tag '" + RegistryRules.printable(field.getKey()) + "' is "
                        + value.getNodeType().name().toLowerCase() + "; 'tags' must be " + TAGS_FORM);
            }
        }
        RegistryRules.checkTags(tags, allowRemoval);
        return tags;
    }

    static Signature signature(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("inputs").isArray() || !node.path("outputs").isArray()) {
            throw TurnoutException.invalid("'signature' must be " + SIGNATURE_FORM);
        }
        return new Signature(specs(node.get("inputs"), "inputs"), specs(node.get("outputs"), "outputs"));
    }

    private static List<TensorSpec> specs(JsonNode array, String what) {
        if (array.isEmpty() || array.size() > MAX_TENSORS) {
            throw TurnoutException.invalid("signature " + what + " must list 1 to " + MAX_TENSORS + " tensors");
        }
        List<TensorSpec> specs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode tensor : array) {
            String where = "signature " + what + "[" + specs.size() + "]";
            JsonNode name = tensor.path("name");
            if (!name.isTextual() || name.textValue().isBlank() || name.textValue().length() > 256) {
                throw TurnoutException.invalid(where + " needs a 'name' (a non-empty string)");
            }
            if (!names.add(name.textValue())) {
                throw TurnoutException.invalid(where + ": the name '" + RegistryRules.printable(name.textValue())
                        + "' appears twice");
            }
            DataType type = DataType.parse(tensor.path("datatype").asText(null)).orElseThrow(() ->
                    TurnoutException.invalid(where + " has datatype '" + RegistryRules.printable(
                            tensor.path("datatype").asText("")) + "'; accepted: " + DataType.ACCEPTED));
            JsonNode shape = tensor.path("shape");
            if (!shape.isArray() || shape.size() > MAX_RANK) {
                throw TurnoutException.invalid(where + " needs a 'shape': an array of at most " + MAX_RANK
                        + " dimensions");
            }
            List<Long> dims = new ArrayList<>();
            for (JsonNode dim : shape) {
                if (!JsonIntegers.isLong(dim) || dim.longValue() < TensorSpec.DYNAMIC) {
                    throw TurnoutException.invalid(where + " has shape " + shape
                            + "; dimensions are whole numbers >= 0 (4 or 4.0, not 4.5), or -1 for dynamic");
                }
                dims.add(dim.longValue());
            }
            specs.add(new TensorSpec(name.textValue(), type, dims));
        }
        return specs;
    }

    private static Iterable<Map.Entry<String, JsonNode>> object(JsonNode node, String what, String form) {
        if (node == null || !node.isObject()) {
            throw TurnoutException.invalid("'" + what + "' must be " + form);
        }
        return node::fields;
    }
}
