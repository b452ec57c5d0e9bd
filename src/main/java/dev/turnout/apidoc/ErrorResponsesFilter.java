package dev.turnout.apidoc;

import dev.turnout.error.ErrorBody;
import dev.turnout.error.ErrorCode;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Completes the OpenAPI document in one place instead of on every method: each operation gets the error answers it
 * can give (from its path, body and security), every error answer the {@link ErrorBody} schema with an example per
 * code, and predictions their optional token. Responses a resource documents itself keep their description.
 * <p>
 * It runs when the document is asked for ({@code /q/openapi}), not at start (issue 14). Quarkus 3.36 reads the
 * document generated at build time back into a model at every start, and, unless a filter runs per request, also
 * writes it out as JSON and YAML then: 0.4-0.6 s on two CPUs, most of it for the error answers this filter adds
 * (239 kB of generated JSON with them, 81 kB without). Per request, the start reads the small document and writes
 * nothing (0.37 s -> 0.15 s); each request copies that model, runs this filter and writes the answer.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class ErrorResponsesFilter implements OASFilter {

    static final String ERROR_SCHEMA = "ErrorBody";
    /** The scheme application.properties names (quarkus.smallrye-openapi.security-scheme-name). */
    static final String BEARER = "bearer";

    @Override
    public void filterOpenAPI(OpenAPI document) {
        document.getComponents().addSchema(ERROR_SCHEMA, errorSchema());
        if (document.getPaths() == null) {
            return;
        }
        document.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach(
                (method, operation) -> complete(path, method, operation)));
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        APIResponses responses = operation.getResponses();
        boolean prediction = isPrediction(path);
        if (prediction && (operation.getSecurity() == null || operation.getSecurity().isEmpty())) {
            // Open unless turnout.security.predictions-require-token: Swagger UI then offers both.
            operation.addSecurityRequirement(OASFactory.createSecurityRequirement());
            operation.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(BEARER));
        }
        boolean secured = operation.getSecurity() != null && operation.getSecurity().stream()
                .map(SecurityRequirement::getSchemes).anyMatch(schemes -> schemes != null && schemes.containsKey(BEARER));
        String onlyWithPredictionTokens = prediction ? "(only with turnout.security.predictions-require-token) " : "";
        boolean hasBody = operation.getRequestBody() != null;
        boolean parameters = path.contains("{") || (operation.getParameters() != null && !operation.getParameters().isEmpty());
        if (secured) {
            // No resource documents these itself; Quarkus' own ("Not Authorized", "Not Allowed") say less.
            responses.removeAPIResponse("401");
            responses.removeAPIResponse("403");
            add(responses, ErrorCode.UNAUTHENTICATED, onlyWithPredictionTokens + "no valid 'Authorization: Bearer <token>'");
            add(responses, ErrorCode.FORBIDDEN, onlyWithPredictionTokens + "the token's roles do not allow this call");
        }
        if (parameters || hasBody) {
            add(responses, ErrorCode.INVALID_ARGUMENT, "Malformed name, version, parameter or body; the message says "
                    + "what was wrong and what is accepted");
        }
        if (path.contains("{")) {
            add(responses, ErrorCode.NOT_FOUND, "No such model or version, or none active");
        }
        if (hasBody) {
            add(responses, ErrorCode.PAYLOAD_TOO_LARGE, "Body over the size limit");
            boolean anyType = operation.getRequestBody().getContent() == null
                    || operation.getRequestBody().getContent().hasMediaType("*/*");
            if (!anyType) {
                add(responses, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type not accepted");
            }
        }
        if (prediction && method == PathItem.HttpMethod.POST) {
            add(responses, ErrorCode.LENGTH_REQUIRED, "No Content-Length: prediction bodies must declare their length");
        }
        if (!path.equals("/v2") && !path.startsWith("/v2/health/")) {
            add(responses, ErrorCode.UNAVAILABLE, "Not now: the registry database is unreachable, the version is still "
                    + "loading, or the server is overloaded; Retry-After says when to try again");
        }
        responses.getAPIResponses().forEach((status, response) -> describeError(status, response));
    }

    /** Model-level serving endpoints: they check the predictor role when predictions require a token. */
    private static boolean isPrediction(String path) {
        return path.startsWith("/v2/models/") || path.startsWith("/v1/models/") || path.equals("/predict");
    }

    /** Adds the general answer of {@code code}'s status unless the operation documents that status itself. */
    private static void add(APIResponses responses, ErrorCode code, String description) {
        String status = String.valueOf(code.httpStatus());
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description)
                    .content(errorContent(List.of(code))));
        }
    }

    /** A 4xx or 5xx the resource documented without a body gets the error body, with every code of its status. */
    private static void describeError(String status, APIResponse response) {
        if (!(status.startsWith("4") || status.startsWith("5")) || response.getContent() != null) {
            return;
        }
        List<ErrorCode> codes = Arrays.stream(ErrorCode.values())
                .filter(code -> String.valueOf(code.httpStatus()).equals(status)).toList();
        if (!codes.isEmpty()) {
            response.setContent(errorContent(codes));
        }
    }

    private static Content errorContent(List<ErrorCode> codes) {
        MediaType json = OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(ERROR_SCHEMA));
        for (ErrorCode code : codes) {
            json.addExample(code.name(), OASFactory.createExample()
                    .value(Map.of("error", ErrorExamples.message(code), "code", code.name())));
        }
        return OASFactory.createContent().addMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON, json);
    }

    private static Schema errorSchema() {
        List<ErrorCode> codes = Arrays.asList(ErrorCode.values());
        String table = codes.stream().map(code -> "`" + code.name() + "` " + code.httpStatus())
                .collect(Collectors.joining(", "));
        return OASFactory.createSchema()
                .type(new ArrayList<>(List.of(Schema.SchemaType.OBJECT)))
                .description("Every error answer. Clients switch on `code`; each code has one HTTP status: " + table + ".")
                .addRequired("error").addRequired("code")
                .addProperty("error", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("What was wrong and what is accepted, for people"))
                .addProperty("code", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .enumeration(new ArrayList<>(codes.stream().map(ErrorCode::name).toList())));
    }
}
