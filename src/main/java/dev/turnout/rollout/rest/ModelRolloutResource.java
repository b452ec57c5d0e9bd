package dev.turnout.rollout.rest;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import dev.turnout.security.Roles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.JsonIntegers;
import dev.turnout.registry.RegistryRules;
import dev.turnout.rollout.ActivationRecord;
import dev.turnout.rollout.ActivationService;
import dev.turnout.rollout.FlipRequest;
import dev.turnout.rollout.ModelStatus;
import dev.turnout.rollout.MetricRequirement;
import dev.turnout.rollout.RolloutService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Path("/api/models/{name}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rollout")
/** A model's live state across replicas, and the calls that move its active version. */
public class ModelRolloutResource {

    private static final Set<String> FLIP_FIELDS = Set.of("version", "reason", "force", "require");
    private static final Set<String> REASON_ONLY = Set.of("reason");
    private static final int MAX_REASON_LENGTH = FlipRequest.MAX_REASON_LENGTH;
    private static final Pattern WAIT = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    private final ActivationService activation;
    private final RolloutService rollout;
    private final ObjectMapper mapper;
    private final Duration maxWait;
    private final SecurityIdentity identity;

    public ModelRolloutResource(ActivationService activation, RolloutService rollout, ObjectMapper mapper,
                              TurnoutConfig config, SecurityIdentity identity) {
        this.identity = identity;
        this.activation = activation;
        this.rollout = rollout;
        this.mapper = mapper;
        this.maxWait = config.rollout().maxWait();
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Tag(name = "Registry")
    @Operation(summary = "Get a model", description = "With its active and latest version, and every live replica: "
            + "the version it serves, the one it is moving to, its state and last error.")
    @APIResponse(responseCode = "404", description = "No such model")
    public ModelStatus get(@RestPath String name) {
        return activation.status(RegistryRules.checkModelName(name));
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.WILDCARD)
    @Tag(name = "Registry")
    @Operation(summary = "Delete a model", description = "With its versions (their bytes too, unless another model's "
            + "version shares them), its activation history and its replicas' state, in one transaction. Refused "
            + "(409) while it has an active version: deactivate it first (DELETE .../active). The name can then be "
            + "used again; version numbers continue where the deleted model's stopped.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such model")
    @APIResponse(responseCode = "409", description = "The model has an active version")
    public Response delete(@RestPath String name) {
        rollout.deleteModel(RegistryRules.checkModelName(name), identity.getPrincipal().getName());
        return Response.noContent().build();
    }

    @PUT
    @Path("/active")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Flip the active version", description = "Moves the pointer and records the flip in one "
            + "transaction; every replica loads and warms the version, then swaps and drains the old one. With "
            + "?wait=30s the answer comes when every live replica serves it (200) or when the wait runs out (202).")
    @RequestBody(description = "{\"version\": 2, \"reason\": \"better recall\", \"force\": false, "
            + "\"require\": [\"accuracy >= 0.9\"]}")
    @APIResponse(responseCode = "200", description = "Every live replica serves the version", content = @Content(schema = @Schema(implementation = ModelStatus.class)))
    @APIResponse(responseCode = "202", description = "Committed; some replicas do not serve it yet (see replicas)",
            content = @Content(schema = @Schema(implementation = ModelStatus.class)))
    @APIResponse(responseCode = "404", description = "No such model or version")
    @APIResponse(responseCode = "409", description = "Refused by a guard (input signature or metric), or "
            + "turnout.serving.max-active-models reached")
    public Response activate(@RestPath String name, @RestQuery String wait, String body) {
        RegistryRules.checkModelName(name);
        Duration waitFor = parseWait(wait);
        JsonNode request = object(body, FLIP_FIELDS, "{\"version\": N, \"reason\": \"...\"}");
        int version = JsonIntegers.positiveInt(request, "version", "");
        JsonNode force = request.get("force");
        if (force != null && !force.isBoolean()) {
            throw TurnoutException.invalid("'force' must be true or false");
        }
        FlipRequest flip = new FlipRequest(version, reason(request), force != null && force.booleanValue(),
                requirements(request.get("require")), identity.getPrincipal().getName());
        return answer(activation.flip(name, flip, waitFor));
    }

    @POST
    @Path("/rollback")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Roll back", description = "Back to the version active before the latest flip, recorded in "
            + "the history like any flip. Accepts ?wait= like a flip.")
    @APIResponse(responseCode = "200", description = "Every live replica serves the previous version", content = @Content(schema = @Schema(implementation = ModelStatus.class)))
    @APIResponse(responseCode = "202", description = "Committed; some replicas do not serve it yet (see replicas)",
            content = @Content(schema = @Schema(implementation = ModelStatus.class)))
    @APIResponse(responseCode = "409", description = "Nothing to roll back to, or "
            + "turnout.serving.max-active-models reached")
    public Response rollback(@RestPath String name, @RestQuery String wait, String body) {
        RegistryRules.checkModelName(name);
        Duration waitFor = parseWait(wait);
        String reason = optionalReason(body);
        return answer(activation.rollback(name, identity.getPrincipal().getName(), reason, waitFor));
    }

    @DELETE
    @Path("/active")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Deactivate", description = "Takes the model out of service: it keeps its versions, has no "
            + "active version, and every replica unloads it (predictions answer 404). Recorded in the history; a "
            + "rollback brings the version back. Frees a place under turnout.serving.max-active-models. Accepts "
            + "?wait= like a flip.")
    @RequestBody(description = "{\"reason\": \"...\"} or no body")
    @APIResponse(responseCode = "200", description = "No live replica serves the model any more", content = @Content(schema = @Schema(implementation = ModelStatus.class)))
    @APIResponse(responseCode = "202", description = "Committed; some replicas still serve it (see replicas)", content = @Content(schema = @Schema(implementation = ModelStatus.class)))
    @APIResponse(responseCode = "404", description = "No such model")
    @APIResponse(responseCode = "409", description = "The model has no active version")
    public Response deactivate(@RestPath String name, @RestQuery String wait, String body) {
        RegistryRules.checkModelName(name);
        Duration waitFor = parseWait(wait);
        String reason = optionalReason(body);
        return answer(activation.deactivate(name, identity.getPrincipal().getName(), reason, waitFor));
    }

    /** The body of a rollback or deactivation: none, or {"reason": "..."}. */
    private String optionalReason(String body) {
        JsonNode request = body == null || body.isBlank() ? mapper.createObjectNode()
                : object(body, REASON_ONLY, "{\"reason\": \"...\"} or no body");
        return reason(request);
    }

    @GET
    @Path("/activations")
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "Activation history", description = "Newest first: version, previous version, kind, actor, "
            + "reason, time.")
    public List<ActivationRecord> history(@RestPath String name, @RestQuery String limit) {
        RegistryRules.checkModelName(name);
        return rollout.history(name, historyLimit(limit));
    }

    /** Parsed here, not by JAX-RS: a query parameter it cannot convert is answered with a 404, not a 400. */
    private static int historyLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 100;
        }
        try {
            int count = Integer.parseInt(limit.trim());
            if (count >= 1 && count <= 1000) {
                return count;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw TurnoutException.invalid("'limit' must be a whole number from 1 to 1000 (default 100)");
    }

    private static Response answer(ActivationService.Outcome outcome) {
        return Response.status(outcome.converged() ? 200 : 202).entity(outcome.status()).build();
    }

    private Duration parseWait(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        Matcher matcher = WAIT.matcher(wait.trim());
        if (!matcher.matches()) {
            throw TurnoutException.invalid("'wait' must look like 30s, 500ms or 2m");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.compareTo(maxWait) > 0) {
            throw TurnoutException.invalid("'wait' may be at most " + maxWait.toSeconds() + "s (turnout.rollout.max-wait)");
        }
        return duration;
    }

    private JsonNode object(String body, Set<String> fields, String form) {
        JsonNode request;
        try {
            request = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (IOException e) {
            throw TurnoutException.invalid("the body is not valid JSON (one object, each field once); expected " + form);
        }
        if (request == null || !request.isObject()) {
            throw TurnoutException.invalid("the body must be a JSON object: " + form);
        }
        request.fieldNames().forEachRemaining(field -> {
            if (!fields.contains(field)) {
                throw TurnoutException.invalid("unknown field '" + RegistryRules.printable(field) + "'; accepted: " + fields);
            }
        });
        return request;
    }

    private static String reason(JsonNode request) {
        JsonNode reason = request.get("reason");
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual() || reason.textValue().length() > MAX_REASON_LENGTH) {
            throw TurnoutException.invalid("'reason' must be a string of at most " + MAX_REASON_LENGTH + " characters");
        }
        RegistryRules.checkStorable("'reason'", reason.textValue());
        return reason.textValue();
    }

    private static List<MetricRequirement> requirements(JsonNode require) {
        if (require == null || require.isNull()) {
            return List.of();
        }
        if (!require.isArray() || require.size() > 32) {
            throw TurnoutException.invalid("'require' must be an array of at most 32 guards, each " + MetricRequirement.FORM);
        }
        List<MetricRequirement> requirements = new ArrayList<>();
        for (JsonNode guard : require) {
            if (!guard.isTextual()) {
                throw TurnoutException.invalid("each 'require' entry must be a string " + MetricRequirement.FORM);
            }
            requirements.add(MetricRequirement.parse(guard.textValue()));
        }
        return requirements;
    }
}
