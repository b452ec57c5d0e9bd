package dev.turnout.serving.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.turnout.engine.DataType;
import dev.turnout.error.TurnoutException;

import java.io.IOException;

/**
 * Reads an OIP inference request with a streaming parser: every input's {@code data} goes straight into the primitive
 * array of its declared datatype ({@link TensorJson.Streamed}, held in a {@link POJONode} where the array would be),
 * the small rest of the request becomes a tree as before. {@link OipCodec#decode} then checks it all against the
 * signature in the same order and with the same messages as for a tree: what is wrong in the data is kept, not
 * thrown, until the checks before it have passed.
 *
 * <p>Only data whose input has given its name, datatype and a sensible shape before it can be read this way (every
 * client known sends them first); otherwise, and for datatypes not served, the data becomes a tree as it always did.
 * The arrays are allocated at their declared size before a value is read, so together they may only be as large as
 * the body can fill: a JSON element takes at least two bytes (a digit and a comma). Beyond that a shape cannot be
 * honest, and its data becomes a tree the size of what is really there (a few declared shapes of 32 MiB each in a
 * 2 KB body allocated a gigabyte).
 */
final class OipRequestReader {

    private OipRequestReader() {
    }

    /**
     * The request as a tree whose input data are {@link TensorJson.Streamed}; null for an empty body.
     * {@code bodyBytes}: the length of the JSON the parser reads.
     */
    static JsonNode read(JsonParser parser, int maxElements, int bodyBytes, ObjectReader trees) throws IOException {
        ElementsLeft left = new ElementsLeft(bodyBytes / 2 + 1);
        JsonNodeFactory nodes = trees.getConfig().getNodeFactory();
        JsonToken token = parser.nextToken();
        if (token == null) {
            return null;
        }
        if (token != JsonToken.START_OBJECT) {
            return trees.readTree(parser);
        }
        ObjectNode request = nodes.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            request.set(field, field.equals("inputs") && value == JsonToken.START_ARRAY
                    ? inputs(parser, maxElements, left, trees) : trees.readTree(parser));
        }
        return request;
    }

    /** How many more elements the rest of the body could hold, which the arrays allocated so far have not claimed. */
    private static final class ElementsLeft {
        long count;

        ElementsLeft(long count) {
            this.count = count;
        }
    }

    private static ArrayNode inputs(JsonParser parser, int maxElements, ElementsLeft left, ObjectReader trees)
            throws IOException {
        ArrayNode inputs = trees.getConfig().getNodeFactory().arrayNode();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            inputs.add(token == JsonToken.START_OBJECT ? input(parser, maxElements, left, trees)
                    : trees.readTree(parser));
        }
        return inputs;
    }

    private static ObjectNode input(JsonParser parser, int maxElements, ElementsLeft left, ObjectReader trees)
            throws IOException {
        JsonNodeFactory nodes = trees.getConfig().getNodeFactory();
        ObjectNode input = nodes.objectNode();
        boolean streamed = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("data") && value == JsonToken.START_ARRAY) {
                TensorJson.Streamed data = streamable(input, maxElements, left);
                if (data != null) {
                    data.fill(parser);
                    input.set(field, nodes.pojoNode(data));
                    streamed = true;
                    continue;
                }
            } else if (streamed && (field.equals("name") || field.equals("datatype") || field.equals("shape"))) {
                // the data was read as the first one said; a second one would silently disagree with it
                throw TurnoutException.invalid("an input gives '" + field + "' twice; give each field once");
            }
            input.set(field, trees.readTree(parser));
        }
        return input;
    }

    /** A target for the data when name, datatype and shape came first and describe a tensor within the limit. */
    private static TensorJson.Streamed streamable(ObjectNode input, int maxElements, ElementsLeft left) {
        JsonNode name = input.get("name");
        JsonNode datatype = input.get("datatype");
        JsonNode shape = input.get("shape");
        if (name == null || !name.isTextual() || datatype == null || !datatype.isTextual() || shape == null
                || !shape.isArray()) {
            return null;
        }
        DataType type = DataType.parse(datatype.textValue()).orElse(null);
        if (type == null || !TensorJson.streamable(type)) {
            return null;
        }
        long[] dims = new long[shape.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            JsonNode dim = shape.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong()) {
                return null;
            }
            dims[i] = dim.longValue();
            if (dims[i] < 1 || dims[i] > maxElements || (count *= dims[i]) > maxElements) {
                return null; // refused by the shape checks before the data would be looked at
            }
        }
        if (count > left.count) {
            return null; // more elements than the body can hold: refused once the data is read as it is
        }
        left.count -= count;
        return new TensorJson.Streamed("input '" + name.textValue() + "'", type, dims, (int) count);
    }
}
