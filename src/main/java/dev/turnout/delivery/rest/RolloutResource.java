package dev.turnout.delivery.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.delivery.DeliveryConfig;
import dev.turnout.delivery.RolloutPlan;
import dev.turnout.delivery.RolloutView;
import dev.turnout.delivery.Rollouts;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;
import dev.turnout.security.Roles;
import dev.turnout.serving.ModelServer;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/** Progressive delivery of a model: start a canary or shadow rollout, watch it, and steer it by hand. */
@Path("/api/models/{name}/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Progressive delivery")
public class RolloutResource {

    private static final Set<String> REASON_ONLY = Set.of("reason");
    /** Decisions shown by GET .../current, newest first. */
    private static final int DECISIONS_SHOWN = 50;

    private final Rollouts rollouts;
    private final ModelServer server;
    private final DeliveryConfig config;
    private final ObjectMapper mapper;
    private final SecurityIdentity identity;

    public RolloutResource(Rollouts rollouts, ModelServer server, DeliveryConfig config, ObjectMapper mapper,
                           SecurityIdentity identity) {
        this.rollouts = rollouts;
        this.server = server;
        this.config = config;
        this.mapper = mapper;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a rollout", description = "Canary: the candidate answers each step's share of the "
            + "requests for the active version on every replica, is judged every analysis interval on the figures of "
            + "all replicas, aborted at once on a breach, and promoted (a flip) after the last step. Guards apply as "
            + "for a flip. One rollout per model at a time.")
    @RequestBody(description = RolloutRequest.FORM)
    @APIResponse(responseCode = "201", description = "Started")
    @APIResponse(responseCode = "404", description = "No such model or version")
    @APIResponse(responseCode = "409", description = "A rollout is in progress, the version is the active one, the "
            + "model has no active version, or a guard refused")
    public Response start(@RestPath String name, String body) {
        RegistryRules.checkModelName(name);
        RolloutPlan plan = RolloutRequest.parse(object(body, RolloutRequest.FIELDS, RolloutRequest.FORM), config,
                actor());
        rollouts.start(name, plan);
        return Response.status(201).entity(rollouts.current(name, DECISIONS_SHOWN)).build();
    }

    @GET
    @Path("/current")
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "The current rollout", description = "The newest rollout (in progress or ended): state, "
            + "step and weight, per-version figures of the current step over every replica (requests, errors, error "
            + "rate, p50/p99), and the newest analyses with their figures and verdict.")
    @APIResponse(responseCode = "404", description = "No such model, or it has had no rollout")
    public RolloutView current(@RestPath String name) {
        return rollouts.current(RegistryRules.checkModelName(name), DECISIONS_SHOWN);
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "Rollouts of a model", description = "Newest first, at most ?limit= (1..1000, default 100).")
    public List<RolloutView> list(@RestPath String name, @RestQuery String limit) {
        return rollouts.list(RegistryRules.checkModelName(name), limit(limit));
    }

    @POST
    @Path("/current/promote")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Promote now", description = "Flips to the candidate (guards apply) without waiting for the "
            + "remaining steps.")
    @RequestBody(description = "{\"reason\": \"...\"} or no body")
    @APIResponse(responseCode = "409", description = "No rollout in progress, or a guard refused")
    public RolloutView promote(@RestPath String name, String body) {
        RegistryRules.checkModelName(name);
        rollouts.promote(name, actor(), reason(body));
        server.refresh(name, true); // this replica swaps now; the others were notified by the commit
        return rollouts.current(name, DECISIONS_SHOWN);
    }

    @POST
    @Path("/current/abort")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Abort", description = "The candidate's weight drops to 0 on every replica within the sync "
            + "interval; the active version never changed.")
    @RequestBody(description = "{\"reason\": \"...\"} or no body")
    @APIResponse(responseCode = "409", description = "No rollout in progress")
    public RolloutView abort(@RestPath String name, String body) {
        RegistryRules.checkModelName(name);
        rollouts.abort(name, actor(), reason(body));
        return rollouts.current(name, DECISIONS_SHOWN);
    }

    @POST
    @Path("/current/pause")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Pause", description = "The weight stays, no further step is taken; a breach still aborts.")
    @RequestBody(description = "{\"reason\": \"...\"} or no body")
    @APIResponse(responseCode = "409", description = "No rollout in progress, or paused already")
    public RolloutView pause(@RestPath String name, String body) {
        RegistryRules.checkModelName(name);
        rollouts.pause(name, actor(), reason(body));
        return rollouts.current(name, DECISIONS_SHOWN);
    }

    @POST
    @Path("/current/resume")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Resume", description = "The current step starts over: it needs step_duration and "
            + "min_requests again.")
    @RequestBody(description = "{\"reason\": \"...\"} or no body")
    @APIResponse(responseCode = "409", description = "No rollout in progress, or not paused")
    public RolloutView resume(@RestPath String name, String body) {
        RegistryRules.checkModelName(name);
        rollouts.resume(name, actor(), reason(body));
        return rollouts.current(name, DECISIONS_SHOWN);
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }

    private String reason(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        return RolloutRequest.reason(object(body, REASON_ONLY, "{\"reason\": \"...\"} or no body").get("reason"));
    }

    private static int limit(String limit) {
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

    private JsonNode object(String body, Set<String> fields, String form) {
        JsonNode request;
        try {
            // strict (http.StrictJson): a repeated key or a second value after the object is refused
            request = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (IOException e) {
            throw TurnoutException.invalid("the body is not valid JSON (one object, each field once); expected "
                    + form);
        }
        if (request == null || !request.isObject()) {
            throw TurnoutException.invalid("the body must be a JSON object: " + form);
        }
        request.fieldNames().forEachRemaining(field -> {
            if (!fields.contains(field)) {
                throw TurnoutException.invalid("unknown field '" + RegistryRules.printable(field) + "'; accepted: "
                        + fields);
            }
        });
        return request;
    }
}
