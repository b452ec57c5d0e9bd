package dev.turnout.rollout.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.ModelInfo;
import dev.turnout.registry.RegistryRules;
import dev.turnout.rollout.ActivationService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.io.IOException;
import java.util.Set;

@Path("/api/models/{name}/active")
@Tag(name = "Rollout")
public class ActivationResource {

    private static final Set<String> FIELDS = Set.of("version", "reason");
    private static final int MAX_REASON_LENGTH = 1000;

    private final ActivationService activation;
    private final ObjectMapper mapper;

    public ActivationResource(ActivationService activation, ObjectMapper mapper) {
        this.activation = activation;
        this.mapper = mapper;
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the active version", description = "Every replica serves the active version; this "
            + "replica loads and warms it before it takes traffic, the old version drains.")
    @RequestBody(description = "{\"version\": 2, \"reason\": \"better recall\"}")
    @APIResponse(responseCode = "200", description = "The model with its new active version")
    @APIResponse(responseCode = "400", description = "Malformed body")
    @APIResponse(responseCode = "404", description = "No such model or version")
    public ModelInfo activate(@RestPath String name, String body) throws IOException {
        RegistryRules.checkModelName(name);
        JsonNode request = body == null || body.isBlank() ? null : parse(body);
        if (request == null || !request.isObject()) {
            throw TurnoutException.invalid("the body must be a JSON object: {\"version\": N, \"reason\": \"...\"}");
        }
        request.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                throw TurnoutException.invalid("unknown field '" + RegistryRules.printable(field) + "'; accepted: "
                        + FIELDS);
            }
        });
        JsonNode version = request.get("version");
        if (version == null || !version.canConvertToExactIntegral() || !version.canConvertToInt() || version.intValue() < 1) {
            throw TurnoutException.invalid("'version' must be a whole number from 1");
        }
        JsonNode reason = request.get("reason");
        if (reason != null && !reason.isNull() && (!reason.isTextual() || reason.textValue().length() > MAX_REASON_LENGTH)) {
            throw TurnoutException.invalid("'reason' must be a string of at most " + MAX_REASON_LENGTH + " characters");
        }
        return activation.activate(name, version.intValue(), reason == null ? null : reason.textValue());
    }

    private JsonNode parse(String body) {
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            throw TurnoutException.invalid("the body is not valid JSON; expected {\"version\": N, \"reason\": \"...\"}");
        }
    }
}
