package dev.turnout.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks response bodies against the component schemas of the published OIP v2 OpenAPI document. */
public final class OipSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode SPEC = load();

    private OipSchemas() {
    }

    public static void assertValid(String schemaName, String body) {
        try {
            ObjectNode root = JSON.createObjectNode();
            root.set("components", SPEC.get("components"));
            root.put("$ref", "#/components/schemas/" + schemaName);
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(root);
            Set<ValidationMessage> errors = schema.validate(JSON.readTree(body));
            assertTrue(errors.isEmpty(), () -> schemaName + " violated: " + errors + " in " + body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode load() {
        try (InputStream in = OipSchemas.class.getResourceAsStream("/specs/open_inference_rest.yaml")) {
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
