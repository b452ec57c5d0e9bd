package dev.turnout.apidoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.error.ErrorCode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document and Swagger UI are served on the API's own port (RestAssured's default), and the document is
 * enough for Swagger UI to call the secured API: a server, the bearer scheme, and every error answer with its body.
 */
@QuarkusTest
class ApiDocumentTest {

    static final String ERROR_SCHEMA = "#/components/schemas/ErrorBody";
    JsonNode document;

    // Not @BeforeAll: RestAssured learns the random test port only once Quarkus has started for the first test.
    @BeforeEach
    void fetch() throws Exception {
        String json = given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString();
        document = new ObjectMapper().readTree(json);
    }

    /** The error answers are added to each request's copy of the document (ErrorResponsesFilter): never twice. */
    @Test
    void everyRequestGetsTheSameDocumentInJsonAndYaml() throws Exception {
        String again = given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString();
        assertEquals(document, new ObjectMapper().readTree(again));
        String yaml = given().get("/q/openapi").then().statusCode(200).extract().asString();
        assertTrue(yaml.contains("ErrorBody") && yaml.contains("UNAUTHENTICATED"), "YAML document: " + yaml.length());
    }

    @Test
    void swaggerUiIsOnTheApiPort() {
        given().redirects().follow(true).get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void theServerIsWhereTheDocumentIs() {
        JsonNode servers = document.path("servers");
        assertTrue(servers.isArray() && servers.size() > 0, "servers: " + servers);
        // Relative: Swagger UI then calls the host and port it loaded the document from.
        assertEquals("/", servers.get(0).path("url").asText());
    }

    @Test
    void managementCallsNeedTheBearerScheme() {
        String scheme = bearerScheme();
        JsonNode flip = operation("/api/models/{name}/active", "put");
        assertTrue(requirementNames(flip).contains(scheme), "flip security: " + flip.path("security"));
        for (String status : List.of("401", "403", "404", "409", "400")) {
            assertErrorResponse(flip, status);
        }
        assertEquals("CONFLICT", examples(flip.path("responses").path("409")).get(0).path("code").asText());
        assertEquals("UNAUTHENTICATED", examples(flip.path("responses").path("401")).get(0).path("code").asText());
    }

    @Test
    void predictionsMayBeCalledWithOrWithoutAToken() {
        String scheme = bearerScheme();
        JsonNode infer = operation("/v2/models/{name}/infer", "post");
        JsonNode security = infer.path("security");
        assertTrue(requirementNames(infer).contains(scheme), "infer security: " + security);
        boolean anonymous = false;
        for (JsonNode requirement : security) {
            anonymous |= requirement.isEmpty();
        }
        assertTrue(anonymous, "predictions are open unless turnout.security.predictions-require-token: " + security);
        for (String status : List.of("400", "404", "413", "503")) {
            assertErrorResponse(infer, status);
        }
    }

    @Test
    void inferenceDocumentsTheBinaryExtensionsHeader() {
        // the header is read from the request as sent, not as a method parameter: the document names it all the same
        for (String path : List.of("/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer")) {
            boolean documented = false;
            for (JsonNode parameter : operation(path, "post").path("parameters")) {
                documented |= parameter.path("name").asText().equals("Inference-Header-Content-Length")
                        && parameter.path("in").asText().equals("header");
            }
            assertTrue(documented, path + ": " + operation(path, "post").path("parameters"));
        }
    }

    @Test
    void uploadsDocumentEveryRefusal() {
        JsonNode upload = operation("/api/models/{name}/versions", "post");
        for (String status : List.of("400", "401", "403", "413", "415", "422")) {
            assertErrorResponse(upload, status);
        }
        Set<String> codes = new HashSet<>();
        examples(upload.path("responses").path("422")).forEach(example -> codes.add(example.path("code").asText()));
        assertEquals(Set.of("INVALID_MODEL", "DIGEST_MISMATCH", "SIGNATURE_MISMATCH"), codes);
    }

    @Test
    void everyErrorAnswerCarriesTheErrorSchemaAndEveryCodeIsNamed() {
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!op.getValue().has("responses")) {
                return; // path-level parameters
            }
            op.getValue().path("responses").fields().forEachRemaining(response -> {
                if (path.getKey().endsWith("/ready") && response.getKey().equals("503")) {
                    // A readiness answer, not an error: the same body as its 200.
                    assertEquals(schemaRef(op.getValue(), "200"), schemaRef(op.getValue(), "503"), path.getKey());
                    assertFalse(schemaRef(op.getValue(), "503").equals(ERROR_SCHEMA), path.getKey());
                } else if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                    assertErrorResponse(op.getValue(), response.getKey());
                }
            });
        }));
        JsonNode codeEnum = document.path("components").path("schemas").path("ErrorBody").path("properties")
                .path("code").path("enum");
        Set<String> documented = new HashSet<>();
        codeEnum.forEach(code -> documented.add(code.asText()));
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(documented.contains(code.name()), code + " in ErrorBody.code: " + codeEnum);
        }
    }

    @Test
    void notFoundPointsAtTheDocumentWhereItIs() {
        String error = given().get("/no/such/thing").then().statusCode(404).extract().path("error");
        Matcher where = Pattern.compile("(/q/[a-z-]+)").matcher(error);
        assertTrue(where.find(), error);
        do {
            given().redirects().follow(true).get(where.group(1)).then().statusCode(200);
        } while (where.find());
    }

    private String bearerScheme() {
        List<String> names = new ArrayList<>();
        document.path("components").path("securitySchemes").fields().forEachRemaining(scheme -> {
            if ("http".equals(scheme.getValue().path("type").asText())
                    && "bearer".equalsIgnoreCase(scheme.getValue().path("scheme").asText())) {
                names.add(scheme.getKey());
            }
        });
        assertEquals(1, names.size(), "one http bearer scheme: " + document.path("components").path("securitySchemes"));
        return names.get(0);
    }

    private JsonNode operation(String path, String method) {
        JsonNode operation = document.path("paths").path(path).path(method);
        assertFalse(operation.isMissingNode(), method + " " + path);
        return operation;
    }

    private static Set<String> requirementNames(JsonNode operation) {
        Set<String> names = new HashSet<>();
        operation.path("security").forEach(requirement -> requirement.fieldNames().forEachRemaining(names::add));
        return names;
    }

    private static void assertErrorResponse(JsonNode operation, String status) {
        JsonNode response = operation.path("responses").path(status);
        String where = operation.path("summary").asText() + " " + status;
        assertFalse(response.isMissingNode(), where + " documented");
        JsonNode json = response.path("content").path("application/json");
        assertEquals(ERROR_SCHEMA, json.path("schema").path("$ref").asText(), where + ": " + response);
        List<JsonNode> examples = examples(response);
        assertFalse(examples.isEmpty(), where + " has an example");
        for (JsonNode example : examples) {
            ErrorCode code = ErrorCode.valueOf(example.path("code").asText());
            assertEquals(status, String.valueOf(code.httpStatus()), where + ": " + example);
            assertFalse(example.path("error").asText().isBlank(), where + ": " + example);
        }
    }

    private static String schemaRef(JsonNode operation, String status) {
        return operation.path("responses").path(status).path("content").path("application/json").path("schema")
                .path("$ref").asText();
    }

    private static List<JsonNode> examples(JsonNode response) {
        JsonNode json = response.path("content").path("application/json");
        List<JsonNode> examples = new ArrayList<>();
        if (json.has("example")) {
            examples.add(json.get("example"));
        }
        for (Map.Entry<String, JsonNode> named : (Iterable<Map.Entry<String, JsonNode>>) json.path("examples")::fields) {
            examples.add(named.getValue().path("value"));
        }
        return examples;
    }
}
